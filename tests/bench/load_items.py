"""Load N distinct ~200-byte items into table feed (100 partitions) with BatchWriteItem,
25 per call over THREADS keep-alive connections; UnprocessedItems are resent.
usage: python3 load_items.py PORT N [THREADS]"""
import http.client
import json
import sys
import threading

PORT, N = int(sys.argv[1]), int(sys.argv[2])
THREADS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
HEADERS = {'Content-Type': 'application/x-amz-json-1.0',
           'X-Amz-Target': 'DynamoDB_20120810.BatchWriteItem'}
failed = []


def item(k):
    return {'PutRequest': {'Item': {'receiver_alias': {'S': 'fan%d' % (k % 100)},
                                    'timestamp': {'N': str(k)},
                                    'author': {'S': '@donald%d' % k},
                                    'post': {'S': 'x' * 150}}}}


def work(t):
    conn = http.client.HTTPConnection('127.0.0.1', PORT)
    for first in range(t * 25, N, 25 * THREADS):
        pending = {'feed': [item(k) for k in range(first, min(first + 25, N))]}
        while pending:
            conn.request('POST', '/', json.dumps({'RequestItems': pending}), HEADERS)
            resp = conn.getresponse()
            doc = json.loads(resp.read())
            if resp.status != 200:
                failed.append('%d %s' % (resp.status, doc))
                return
            pending = doc.get('UnprocessedItems') or None


threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
for th in threads:
    th.start()
for th in threads:
    th.join()
if failed:
    sys.exit('load_items: ' + failed[0])
