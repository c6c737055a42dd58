-- Query a page of 10 (newest first) of partition fan1, 50 items of ~200 bytes.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.Query"
wrk.body = '{"TableName":"feed","KeyConditionExpression":"receiver_alias = :a",'
  .. '"ExpressionAttributeValues":{":a":{"S":"fan1"}},"Limit":10,"ScanIndexForward":false}'
