-- PutItem of a ~100-byte item, always the same key.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
wrk.body = '{"TableName":"feed","Item":{"receiver_alias":{"S":"fan1"},"timestamp":{"N":"1"},'
  .. '"post":{"S":"hello from the raw benchmark, about one hundred bytes of text in the body"}}}'
