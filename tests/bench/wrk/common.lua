-- Shared by the raw wrk scripts: a DynamoDB JSON 1.0 POST with a SigV4-shaped Authorization
-- header (Stratus does not check signatures). Each script sets the target and the body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Date"] = "20261129T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=x/20261129/us-west-2/dynamodb/"
  .. "aws4_request, SignedHeaders=host;x-amz-date, Signature=" .. string.rep("0", 64)
