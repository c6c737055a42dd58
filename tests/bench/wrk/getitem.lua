-- GetItem of one item of partition fan1 of table feed (made by tests/bench/raw.sh).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
wrk.body = '{"TableName":"feed","Key":{"receiver_alias":{"S":"fan1"},"timestamp":{"N":"1"}}}'
