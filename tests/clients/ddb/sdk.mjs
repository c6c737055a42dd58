// tests/clients/ddb/sdk.mjs - the AWS SDK for JavaScript v3, unmodified, against Stratus's
// table service: @aws-sdk/client-dynamodb (commands, waiters, paginators, modeled error
// classes) and @aws-sdk/lib-dynamodb's DynamoDBDocumentClient (native JS types).
//
// usage: AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_REGION=us-west-2 \
//        AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x node sdk.mjs SUFFIX
// The endpoint comes from AWS_ENDPOINT_URL only (the SDK's own configuration). Every
// check prints one line, "PASS name" or "FAIL name: detail"; the last line is
// "sdk-js: N passed, M failed". Exit status 0 only if nothing failed.
// Expected values follow the DynamoDB API Reference (each operation's page, "Errors"
// and "Response Elements") and the developer guide's capacity-unit pages.

import { isDeepStrictEqual, inspect } from 'node:util';
import {
	DynamoDBClient, DynamoDBServiceException,
	CreateTableCommand, DescribeTableCommand, UpdateTableCommand, DeleteTableCommand,
	ListTablesCommand, PutItemCommand, GetItemCommand, UpdateItemCommand, DeleteItemCommand,
	QueryCommand, ScanCommand, BatchWriteItemCommand, BatchGetItemCommand,
	TransactWriteItemsCommand, TransactGetItemsCommand, UpdateTimeToLiveCommand,
	DescribeTimeToLiveCommand, TagResourceCommand, UntagResourceCommand,
	ListTagsOfResourceCommand, DescribeLimitsCommand,
	waitUntilTableExists, waitUntilTableNotExists, paginateQuery, paginateScan, paginateListTables,
	ConditionalCheckFailedException, ResourceNotFoundException, ResourceInUseException,
	ProvisionedThroughputExceededException,
	TransactionCanceledException, IdempotentParameterMismatchException,
} from '@aws-sdk/client-dynamodb';
import {
	DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, DeleteCommand,
	QueryCommand as DocQueryCommand, ScanCommand as DocScanCommand, BatchWriteCommand,
	BatchGetCommand, TransactWriteCommand, TransactGetCommand,
	paginateQuery as docPaginateQuery, paginateScan as docPaginateScan,
	NumberValue,
} from '@aws-sdk/lib-dynamodb';

const SUFFIX = process.argv[2] || String(process.pid);
let passed = 0;
let failed = 0;

function show(v) {
	return inspect(v, { depth: 8, breakLength: Infinity, compact: true }).slice(0, 700);
}

function pass(name) {
	passed++;
	console.log(`PASS ${name}`);
}

function fail(name, detail) {
	failed++;
	console.log(`FAIL ${name}: ${detail}`);
}

// eq NAME EXPECTED ACTUAL: deep strict equality (Sets, Maps, Uint8Arrays included).
function eq(name, expected, actual) {
	if (isDeepStrictEqual(expected, actual)) {
		pass(name);
		return true;
	}
	fail(name, `expected ${show(expected)}, got ${show(actual)}`);
	return false;
}

function ok(name, cond, detail) {
	if (cond) {
		pass(name);
		return true;
	}
	fail(name, detail === undefined ? 'condition false' : show(detail));
	return false;
}

// call NAME PROMISE -> the output, or undefined (and a FAIL) when it throws.
async function call(name, p) {
	try {
		const out = await p;
		pass(`${name}: succeeds`);
		return out;
	} catch (e) {
		fail(`${name}: succeeds`, `${e.name}: ${e.message}`);
		return undefined;
	}
}

// rejects NAME PROMISE CLASS ERRNAME MESSAGE -> the error (asserts the modeled class,
// name, message, HTTP status 400 and $fault "client").
async function rejects(name, p, cls, errName, message) {
	let out;
	try {
		out = await p;
	} catch (e) {
		if (cls) {
			ok(`${name}: instance of ${cls.name}`, e instanceof cls, `${e.constructor.name} ${e.name}`);
		}
		ok(`${name}: instance of DynamoDBServiceException`, e instanceof DynamoDBServiceException, e.constructor.name);
		eq(`${name}: name`, errName, e.name);
		if (message !== undefined) {
			if (message instanceof RegExp) {
				ok(`${name}: message`, message.test(e.message), e.message);
			} else {
				eq(`${name}: message`, message, e.message);
			}
		}
		eq(`${name}: HTTP status`, 400, e.$metadata?.httpStatusCode);
		eq(`${name}: $fault`, 'client', e.$fault);
		return e;
	}
	fail(`${name}: rejects`, `resolved with ${show(out)}`);
	return undefined;
}

const client = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(client, {
	marshallOptions: { removeUndefinedValues: true },
});
// A second low-level client: document clients made from one client share its middleware
// stack, and so the last one's translation options.
const docWrapped = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
	unmarshallOptions: { wrapNumbers: true },
});

const T = `sdkjs-${SUFFIX}`;           // HASH pk S + RANGE sk N, one GSI, one LSI
const TD = `sdkjs-doc-${SUFFIX}`;       // HASH id S (document client)
const LIST_PREFIX = `sdkjs-list-${SUFFIX}`;
const ARN = (t) => `arn:aws:dynamodb:us-west-2:000000000000:table/${t}`;

async function tables() {
	const out = await call('CreateTable (GSI + LSI)', client.send(new CreateTableCommand({
		TableName: T,
		AttributeDefinitions: [
			{ AttributeName: 'pk', AttributeType: 'S' },
			{ AttributeName: 'sk', AttributeType: 'N' },
			{ AttributeName: 'color', AttributeType: 'S' },
			{ AttributeName: 'lsk', AttributeType: 'S' },
		],
		KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
		ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
		GlobalSecondaryIndexes: [{
			IndexName: 'by_color',
			KeySchema: [{ AttributeName: 'color', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
			Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['name'] },
			ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 3 },
		}],
		LocalSecondaryIndexes: [{
			IndexName: 'by_lsk',
			KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'lsk', KeyType: 'RANGE' }],
			Projection: { ProjectionType: 'KEYS_ONLY' },
		}],
		Tags: [{ Key: 'team', Value: 'clients' }],
	})));
	if (!out) {
		return false;
	}
	const td = out.TableDescription;
	eq('CreateTable: $metadata.httpStatusCode', 200, out.$metadata.httpStatusCode);
	ok('CreateTable: $metadata.requestId', typeof out.$metadata.requestId === 'string' && out.$metadata.requestId.length > 0,
		out.$metadata);
	eq('CreateTable: TableName', T, td.TableName);
	eq('CreateTable: TableArn', ARN(T), td.TableArn);
	ok('CreateTable: TableId is a UUID', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(td.TableId), td.TableId);
	ok('CreateTable: TableStatus CREATING or ACTIVE', ['CREATING', 'ACTIVE'].includes(td.TableStatus), td.TableStatus);
	ok('CreateTable: CreationDateTime is a Date', td.CreationDateTime instanceof Date && !isNaN(td.CreationDateTime), td.CreationDateTime);
	eq('CreateTable: KeySchema', [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], td.KeySchema);
	eq('CreateTable: AttributeDefinitions',
		['color:S', 'lsk:S', 'pk:S', 'sk:N'],
		td.AttributeDefinitions.map((a) => `${a.AttributeName}:${a.AttributeType}`).sort());
	eq('CreateTable: ItemCount and TableSizeBytes', [0, 0], [td.ItemCount, td.TableSizeBytes]);
	eq('CreateTable: GSI', {
		IndexName: 'by_color',
		KeySchema: [{ AttributeName: 'color', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
		Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['name'] },
		RCU: 4, WCU: 3, IndexArn: `${ARN(T)}/index/by_color`,
	}, (({ IndexName, KeySchema, Projection, ProvisionedThroughput, IndexArn }) => ({
		IndexName, KeySchema, Projection, RCU: ProvisionedThroughput?.ReadCapacityUnits,
		WCU: ProvisionedThroughput?.WriteCapacityUnits, IndexArn,
	}))(td.GlobalSecondaryIndexes?.[0] ?? {}));
	eq('CreateTable: LSI', {
		IndexName: 'by_lsk',
		KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'lsk', KeyType: 'RANGE' }],
		Projection: { ProjectionType: 'KEYS_ONLY' },
		IndexArn: `${ARN(T)}/index/by_lsk`,
	}, (({ IndexName, KeySchema, Projection, IndexArn }) => ({ IndexName, KeySchema, Projection, IndexArn }))(
		td.LocalSecondaryIndexes?.[0] ?? {}));

	await rejects('CreateTable of an existing table', client.send(new CreateTableCommand({
		TableName: T,
		AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
		KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
		BillingMode: 'PAY_PER_REQUEST',
	})), ResourceInUseException, 'ResourceInUseException', `Table already exists: ${T}`);

	const w = await call('waitUntilTableExists', waitUntilTableExists(
		{ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: T }));
	eq('waitUntilTableExists: state', 'SUCCESS', w?.state);

	const d = await call('DescribeTable', client.send(new DescribeTableCommand({ TableName: T })));
	if (d) {
		eq('DescribeTable: TableStatus', 'ACTIVE', d.Table.TableStatus);
		eq('DescribeTable: GSI IndexStatus', 'ACTIVE', d.Table.GlobalSecondaryIndexes?.[0]?.IndexStatus);
		eq('DescribeTable: ProvisionedThroughput', { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
			{ ReadCapacityUnits: d.Table.ProvisionedThroughput.ReadCapacityUnits,
				WriteCapacityUnits: d.Table.ProvisionedThroughput.WriteCapacityUnits });
		eq('DescribeTable: TableId matches CreateTable', td.TableId, d.Table.TableId);
	}

	await rejects('DescribeTable of a missing table', client.send(new DescribeTableCommand({ TableName: `${T}-nope` })),
		ResourceNotFoundException, 'ResourceNotFoundException', `Requested resource not found: Table: ${T}-nope not found`);

	const doccreate = await call('CreateTable (document client table, on demand)', client.send(new CreateTableCommand({
		TableName: TD,
		AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
		KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
		BillingMode: 'PAY_PER_REQUEST',
	})));
	eq('CreateTable on demand: BillingModeSummary', 'PAY_PER_REQUEST', doccreate?.TableDescription?.BillingModeSummary?.BillingMode);
	await call('waitUntilTableExists (document client table)', waitUntilTableExists(
		{ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: TD }));
	return true;
}

const K1 = { pk: { S: 'u1' }, sk: { N: '1' } };

async function items() {
	// PutItem, with total and per-index consumed capacity: a new item that every index
	// holds costs 1 WCU in the table and 1 in each index (developer guide: "Provisioned
	// throughput considerations for GSIs/LSIs").
	let out = await call('PutItem (ReturnConsumedCapacity INDEXES)', client.send(new PutItemCommand({
		TableName: T,
		Item: { ...K1, color: { S: 'red' }, lsk: { S: 'b' }, name: { S: 'one' }, tags: { SS: ['x', 'y'] } },
		ReturnConsumedCapacity: 'INDEXES',
	})));
	eq('PutItem: no Attributes without ReturnValues', undefined, out?.Attributes);
	eq('PutItem: ConsumedCapacity INDEXES', {
		TableName: T, CapacityUnits: 3, Table: { CapacityUnits: 1 },
		GlobalSecondaryIndexes: { by_color: { CapacityUnits: 1 } },
		LocalSecondaryIndexes: { by_lsk: { CapacityUnits: 1 } },
	}, out?.ConsumedCapacity);

	out = await call('PutItem overwrite (ReturnValues ALL_OLD, ReturnConsumedCapacity INDEXES)', client.send(new PutItemCommand({
		TableName: T,
		Item: { ...K1, color: { S: 'red' }, lsk: { S: 'a' }, name: { S: 'one' }, n: { N: '10' }, tags: { SS: ['x', 'y'] } },
		ReturnValues: 'ALL_OLD',
		ReturnConsumedCapacity: 'INDEXES',
	})));
	eq('PutItem ALL_OLD: the old item', { ...K1, color: { S: 'red' }, lsk: { S: 'b' }, name: { S: 'one' }, tags: { SS: ['x', 'y'] } },
		out?.Attributes);
	// The GSI's key and projected attribute (name) are unchanged: no index write there; the
	// LSI sort key changed: a delete and a put in the LSI (2 WCUs); the table 1.
	eq('PutItem overwrite: ConsumedCapacity INDEXES', {
		TableName: T, CapacityUnits: 3, Table: { CapacityUnits: 1 }, LocalSecondaryIndexes: { by_lsk: { CapacityUnits: 2 } },
	}, out?.ConsumedCapacity);

	out = await call('GetItem ConsistentRead', client.send(new GetItemCommand({
		TableName: T, Key: K1, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL',
	})));
	eq('GetItem: Item', { ...K1, color: { S: 'red' }, lsk: { S: 'a' }, name: { S: 'one' }, n: { N: '10' }, tags: { SS: ['x', 'y'] } },
		out?.Item);
	eq('GetItem ConsistentRead: 1 RCU', { TableName: T, CapacityUnits: 1 }, out?.ConsumedCapacity);
	out = await call('GetItem eventually consistent, projection', client.send(new GetItemCommand({
		TableName: T, Key: K1, ProjectionExpression: '#n, tags', ExpressionAttributeNames: { '#n': 'name' },
		ReturnConsumedCapacity: 'TOTAL',
	})));
	eq('GetItem projection: Item', { name: { S: 'one' }, tags: { SS: ['x', 'y'] } }, out?.Item);
	eq('GetItem eventually consistent: 0.5 RCU', { TableName: T, CapacityUnits: 0.5 }, out?.ConsumedCapacity);
	out = await call('GetItem of a missing key', client.send(new GetItemCommand({ TableName: T, Key: { pk: { S: 'zz' }, sk: { N: '1' } } })));
	eq('GetItem of a missing key: no Item', [false, 200], [out ? 'Item' in out && out.Item !== undefined : null, out?.$metadata.httpStatusCode]);

	// UpdateItem, every ReturnValues.
	await rejects('UpdateItem: document path into a missing map', client.send(new UpdateItemCommand({
		TableName: T, Key: K1,
		UpdateExpression: 'SET m.a = :one',
		ExpressionAttributeValues: { ':one': { N: '1' } },
	})), null, 'ValidationException', 'The document path provided in the update expression is invalid for update');

	out = await call('UpdateItem SET/ADD/REMOVE (ALL_NEW)', client.send(new UpdateItemCommand({
		TableName: T, Key: K1,
		UpdateExpression: 'SET #n = :n, lst = list_append(if_not_exists(lst, :empty), :l), m = :m ADD n :five, tags :t REMOVE color',
		ExpressionAttributeNames: { '#n': 'name' },
		ExpressionAttributeValues: {
			':n': { S: 'uno' }, ':l': { L: [{ N: '1' }, { S: 'two' }] }, ':empty': { L: [] },
			':m': { M: { a: { N: '1' }, b: { BOOL: true }, c: { NULL: true } } }, ':five': { N: '5' }, ':t': { SS: ['z'] },
		},
		ConditionExpression: 'attribute_exists(pk)',
		ReturnValues: 'ALL_NEW',
	})));
	const full = {
		...K1, lsk: { S: 'a' }, name: { S: 'uno' }, n: { N: '15' }, tags: { SS: ['x', 'y', 'z'] },
		lst: { L: [{ N: '1' }, { S: 'two' }] }, m: { M: { a: { N: '1' }, b: { BOOL: true }, c: { NULL: true } } },
	};
	eq('UpdateItem ALL_NEW: Attributes (sets compared sorted)', full,
		out?.Attributes && { ...out.Attributes, tags: { SS: [...out.Attributes.tags.SS].sort() } });
	out = await call('UpdateItem (UPDATED_OLD)', client.send(new UpdateItemCommand({
		TableName: T, Key: K1, UpdateExpression: 'SET n = n + :d, m.a = :two',
		ExpressionAttributeValues: { ':d': { N: '0.5' }, ':two': { N: '2' } }, ReturnValues: 'UPDATED_OLD',
	})));
	eq('UpdateItem UPDATED_OLD', { n: { N: '15' }, m: { M: { a: { N: '1' } } } }, out?.Attributes);
	out = await call('UpdateItem (UPDATED_NEW)', client.send(new UpdateItemCommand({
		TableName: T, Key: K1, UpdateExpression: 'REMOVE lst[0] SET color = :c',
		ExpressionAttributeValues: { ':c': { S: 'blue' } }, ReturnValues: 'UPDATED_NEW',
	})));
	eq('UpdateItem UPDATED_NEW', { lst: { L: [{ S: 'two' }] }, color: { S: 'blue' } }, out?.Attributes);
	out = await call('UpdateItem (ALL_OLD)', client.send(new UpdateItemCommand({
		TableName: T, Key: K1, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '-1e2' } },
		ReturnValues: 'ALL_OLD',
	})));
	eq('UpdateItem ALL_OLD: n before', { N: '15.5' }, out?.Attributes?.n);
	out = await call('GetItem after updates', client.send(new GetItemCommand({ TableName: T, Key: K1, ConsistentRead: true })));
	eq('GetItem after updates: n normalised', { N: '-100' }, out?.Item?.n);
	out = await call('UpdateItem creating an item (ReturnValues NONE)', client.send(new UpdateItemCommand({
		TableName: T, Key: { pk: { S: 'u9' }, sk: { N: '9' } }, UpdateExpression: 'SET color = :c',
		ExpressionAttributeValues: { ':c': { S: 'teal' } }, ReturnItemCollectionMetrics: 'SIZE',
	})));
	eq('UpdateItem NONE: no Attributes', undefined, out?.Attributes);
	eq('UpdateItem ReturnItemCollectionMetrics SIZE (table with an LSI)',
		{ ItemCollectionKey: { pk: { S: 'u9' } }, SizeEstimateRangeGB: [0, 1] }, out?.ItemCollectionMetrics);

	// Conditional failures: the modeled exception class.
	let e = await rejects('PutItem attribute_not_exists on an existing item', client.send(new PutItemCommand({
		TableName: T, Item: { ...K1, color: { S: 'green' } }, ConditionExpression: 'attribute_not_exists(pk)',
	})), ConditionalCheckFailedException, 'ConditionalCheckFailedException', 'The conditional request failed');
	eq('ConditionalCheckFailedException: no Item without ReturnValuesOnConditionCheckFailure', undefined, e?.Item);
	e = await rejects('UpdateItem condition false, ReturnValuesOnConditionCheckFailure ALL_OLD', client.send(new UpdateItemCommand({
		TableName: T, Key: K1, UpdateExpression: 'SET color = :c', ConditionExpression: 'color = :c',
		ExpressionAttributeValues: { ':c': { S: 'green' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
	})), ConditionalCheckFailedException, 'ConditionalCheckFailedException', 'The conditional request failed');
	eq('ConditionalCheckFailedException.Item: the item as it is', 'blue', e?.Item?.color?.S);
	e = await rejects('DeleteItem condition false', client.send(new DeleteItemCommand({
		TableName: T, Key: K1, ConditionExpression: 'n > :z', ExpressionAttributeValues: { ':z': { N: '0' } },
	})), ConditionalCheckFailedException, 'ConditionalCheckFailedException', 'The conditional request failed');

	// Validation errors.
	await rejects('GetItem with a key of the wrong type', client.send(new GetItemCommand({
		TableName: T, Key: { pk: { S: 'u1' }, sk: { S: '1' } },
	})), null, 'ValidationException', 'The provided key element does not match the schema');
	await rejects('GetItem with a missing sort key', client.send(new GetItemCommand({
		TableName: T, Key: { pk: { S: 'u1' } },
	})), null, 'ValidationException', 'The provided key element does not match the schema');
	await rejects('PutItem on a missing table', client.send(new PutItemCommand({
		TableName: `${T}-nope`, Item: { pk: { S: 'a' } },
	})), ResourceNotFoundException, 'ResourceNotFoundException', 'Requested resource not found');
	await rejects('UpdateItem with an unused expression value', client.send(new UpdateItemCommand({
		TableName: T, Key: K1, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'x' }, ':b': { S: 'y' } },
	})), null, 'ValidationException', 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}');
	await rejects('PutItem with an empty string set', client.send(new PutItemCommand({
		TableName: T, Item: { ...K1, s: { SS: [] } },
	})), null, 'ValidationException', 'One or more parameter values were invalid: An string set  may not be empty');

	// DeleteItem ALL_OLD.
	out = await call('DeleteItem (ALL_OLD)', client.send(new DeleteItemCommand({
		TableName: T, Key: { pk: { S: 'u9' }, sk: { N: '9' } }, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL',
	})));
	eq('DeleteItem ALL_OLD: Attributes', { pk: { S: 'u9' }, sk: { N: '9' }, color: { S: 'teal' } }, out?.Attributes);
	eq('DeleteItem: ConsumedCapacity (table 1 + GSI 1)', { TableName: T, CapacityUnits: 2 }, out?.ConsumedCapacity);
	out = await call('DeleteItem of a missing item', client.send(new DeleteItemCommand({
		TableName: T, Key: { pk: { S: 'u9' }, sk: { N: '9' } }, ReturnValues: 'ALL_OLD',
	})));
	eq('DeleteItem of a missing item: no Attributes', undefined, out?.Attributes);
}

async function batches() {
	// 30 items: BatchWriteItem takes at most 25 requests.
	const mk = (i) => ({ pk: { S: i < 20 ? 'q' : 'r' }, sk: { N: String(i) }, color: { S: i % 3 === 0 ? 'red' : 'green' },
		lsk: { S: String.fromCharCode(97 + (29 - i) % 26) + String(i).padStart(2, '0') }, name: { S: `item${i}` } });
	const all = Array.from({ length: 30 }, (_, i) => mk(i));
	await rejects('BatchWriteItem with 26 requests', client.send(new BatchWriteItemCommand({
		RequestItems: { [T]: all.slice(0, 26).map((Item) => ({ PutRequest: { Item } })) },
	})), null, 'ValidationException', /Member must have length less than or equal to 25/);
	let out = await call('BatchWriteItem 25 puts', client.send(new BatchWriteItemCommand({
		RequestItems: { [T]: all.slice(0, 25).map((Item) => ({ PutRequest: { Item } })) },
		ReturnConsumedCapacity: 'TOTAL',
	})));
	eq('BatchWriteItem: UnprocessedItems', {}, out?.UnprocessedItems);
	eq('BatchWriteItem: ConsumedCapacity (25 items x (table + GSI + LSI))', [{ TableName: T, CapacityUnits: 75 }], out?.ConsumedCapacity);
	out = await call('BatchWriteItem 5 puts + 1 delete', client.send(new BatchWriteItemCommand({
		RequestItems: { [T]: [...all.slice(25).map((Item) => ({ PutRequest: { Item } })),
			{ DeleteRequest: { Key: { pk: { S: 'q' }, sk: { N: '19' } } } }] },
	})));
	eq('BatchWriteItem: UnprocessedItems (2)', {}, out?.UnprocessedItems);
	await rejects('BatchWriteItem: two requests for one key', client.send(new BatchWriteItemCommand({
		RequestItems: { [T]: [{ PutRequest: { Item: all[0] } }, { DeleteRequest: { Key: { pk: { S: 'q' }, sk: { N: '0' } } } }] },
	})), null, 'ValidationException', 'Provided list of item keys contains duplicates');

	out = await call('BatchGetItem (3 keys, one missing, projection)', client.send(new BatchGetItemCommand({
		RequestItems: { [T]: {
			Keys: [{ pk: { S: 'q' }, sk: { N: '3' } }, { pk: { S: 'q' }, sk: { N: '19' } }, { pk: { S: 'r' }, sk: { N: '27' } }],
			ProjectionExpression: 'sk, #n', ExpressionAttributeNames: { '#n': 'name' }, ConsistentRead: true,
		} },
		ReturnConsumedCapacity: 'TOTAL',
	})));
	eq('BatchGetItem: Responses', [{ sk: { N: '3' }, name: { S: 'item3' } }, { sk: { N: '27' }, name: { S: 'item27' } }],
		(out?.Responses?.[T] ?? []).sort((a, b) => Number(a.sk.N) - Number(b.sk.N)));
	eq('BatchGetItem: UnprocessedKeys', {}, out?.UnprocessedKeys);
	eq('BatchGetItem: ConsumedCapacity (3 strongly consistent reads)', [{ TableName: T, CapacityUnits: 3 }], out?.ConsumedCapacity);
}

async function reads() {
	// paginateQuery: 19 items under q (0..18 after the delete of 19), 4 per page.
	const pages = [];
	try {
		for await (const page of paginateQuery({ client, pageSize: 4 }, {
			TableName: T, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'q' } },
			ScanIndexForward: false,
		})) {
			pages.push(page);
		}
		pass('paginateQuery: iterates');
	} catch (e) {
		fail('paginateQuery: iterates', `${e.name}: ${e.message}`);
	}
	eq('paginateQuery: page sizes', [4, 4, 4, 4, 3], pages.map((p) => p.Items.length));
	eq('paginateQuery: sort keys descending', Array.from({ length: 19 }, (_, i) => String(18 - i)),
		pages.flatMap((p) => p.Items.map((it) => it.sk.N)));
	eq('paginateQuery: LastEvaluatedKey of page 1', { pk: { S: 'q' }, sk: { N: '15' } }, pages[0]?.LastEvaluatedKey);
	eq('paginateQuery: no LastEvaluatedKey on the last page', undefined, pages.at(-1)?.LastEvaluatedKey);

	let out = await call('Query sk BETWEEN with a filter', client.send(new QueryCommand({
		TableName: T, KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b', FilterExpression: 'color = :c',
		ExpressionAttributeValues: { ':p': { S: 'q' }, ':a': { N: '3' }, ':b': { N: '12' }, ':c': { S: 'red' } },
		ProjectionExpression: 'sk', ReturnConsumedCapacity: 'TOTAL',
	})));
	eq('Query filter: Items', [{ sk: { N: '3' } }, { sk: { N: '6' } }, { sk: { N: '9' } }, { sk: { N: '12' } }], out?.Items);
	eq('Query filter: Count and ScannedCount', [4, 10], [out?.Count, out?.ScannedCount]);
	await rejects('Query: begins_with on the partition key', client.send(new QueryCommand({
		TableName: T, KeyConditionExpression: 'begins_with(pk, :x)', ExpressionAttributeValues: { ':x': { S: 'r' } },
	})), null, 'ValidationException', 'Query key condition not supported');
	out = await call('Query Select COUNT', client.send(new QueryCommand({
		TableName: T, KeyConditionExpression: '#p = :p AND sk > :s', Select: 'COUNT',
		ExpressionAttributeNames: { '#p': 'pk' }, ExpressionAttributeValues: { ':p': { S: 'r' }, ':s': { N: '24' } },
	})));
	eq('Query Select COUNT: Count, ScannedCount, no Items', [5, 5, undefined], [out?.Count, out?.ScannedCount, out?.Items]);

	out = await call('Query LSI by_lsk (KEYS_ONLY)', client.send(new QueryCommand({
		TableName: T, IndexName: 'by_lsk', KeyConditionExpression: 'pk = :p AND lsk < :l',
		ExpressionAttributeValues: { ':p': { S: 'r' }, ':l': { S: 'd' } }, ConsistentRead: true,
	})));
	// r holds 20..29: lsk = letter(29 - i) + i, so 26..29 have a..d; lsk < "d" keeps 27, 28, 29.
	eq('Query LSI: keys only, lsk order', [
		{ pk: { S: 'r' }, sk: { N: '29' }, lsk: { S: 'a29' } },
		{ pk: { S: 'r' }, sk: { N: '28' }, lsk: { S: 'b28' } },
		{ pk: { S: 'r' }, sk: { N: '27' }, lsk: { S: 'c27' } },
	], out?.Items);

	const gpages = [];
	for await (const page of paginateQuery({ client, pageSize: 3 }, {
		TableName: T, IndexName: 'by_color', KeyConditionExpression: 'color = :c AND sk >= :s',
		ExpressionAttributeValues: { ':c': { S: 'red' }, ':s': { N: '10' } },
	})) {
		gpages.push(page);
	}
	eq('paginateQuery GSI by_color: items in sk order', ['12', '15', '18', '21', '24', '27'],
		gpages.flatMap((p) => p.Items.map((it) => it.sk.N)));
	eq('paginateQuery GSI: INCLUDE projection (keys + name)', ['color', 'name', 'pk', 'sk'],
		Object.keys(gpages[0]?.Items?.[0] ?? {}).sort());
	eq('paginateQuery GSI: LastEvaluatedKey holds the index and table keys',
		{ color: { S: 'red' }, sk: { N: '18' }, pk: { S: 'q' } }, gpages[0]?.LastEvaluatedKey);
	await rejects('Query GSI ConsistentRead', client.send(new QueryCommand({
		TableName: T, IndexName: 'by_color', KeyConditionExpression: 'color = :c', ConsistentRead: true,
		ExpressionAttributeValues: { ':c': { S: 'red' } },
	})), null, 'ValidationException', 'Consistent reads are not supported on global secondary indexes');
	await rejects('Query of a missing index', client.send(new QueryCommand({
		TableName: T, IndexName: 'nope', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'q' } },
	})), null, 'ValidationException', `The table does not have the specified index: nope`);

	// paginateScan with a filter: every page is read, matches collected across pages.
	const spages = [];
	for await (const page of paginateScan({ client, pageSize: 7 }, {
		TableName: T, FilterExpression: 'begins_with(#n, :p)', ExpressionAttributeNames: { '#n': 'name' },
		ExpressionAttributeValues: { ':p': { S: 'item2' } },
	})) {
		spages.push(page);
	}
	// 30 items (q0..q18, r20..r29, u1): ceil(30 / 7) = 5 pages, the last one short.
	eq('paginateScan: ScannedCount per page', [7, 7, 7, 7, 2], spages.map((p) => p.ScannedCount));
	eq('paginateScan: filtered items', ['item2', 'item20', 'item21', 'item22', 'item23', 'item24', 'item25', 'item26',
		'item27', 'item28', 'item29'], spages.flatMap((p) => p.Items.map((it) => it.name.S)).sort());
	const segs = await Promise.all([0, 1, 2].map((Segment) => client.send(new ScanCommand({
		TableName: T, Segment, TotalSegments: 3, Select: 'COUNT',
	}))));
	eq('parallel Scan: the 3 segments cover the table', 30, segs.reduce((s, o) => s + o.Count, 0));
}

async function transactions() {
	const k = (s, n) => ({ pk: { S: s }, sk: { N: String(n) } });
	let out = await call('TransactWriteItems (Put, Update, Delete, ConditionCheck)', client.send(new TransactWriteItemsCommand({
		TransactItems: [
			{ Put: { TableName: T, Item: { ...k('t', 1), v: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
			{ Update: { TableName: T, Key: k('q', 0), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '7' } } } },
			{ Delete: { TableName: T, Key: k('q', 1) } },
			{ ConditionCheck: { TableName: T, Key: k('q', 2), ConditionExpression: 'attribute_exists(pk)' } },
		],
		ClientRequestToken: `tok-${SUFFIX}`,
		ReturnConsumedCapacity: 'INDEXES',
	})));
	// Transactional writes cost twice the standard units (developer guide, "Capacity
	// management for transactions"): 4 items in the table, and the Delete of q/1 also
	// removes its GSI and LSI entries.
	eq('TransactWriteItems: ConsumedCapacity INDEXES', [{
		TableName: T, CapacityUnits: 12, Table: { CapacityUnits: 8 },
		GlobalSecondaryIndexes: { by_color: { CapacityUnits: 2 } }, LocalSecondaryIndexes: { by_lsk: { CapacityUnits: 2 } },
	}], out?.ConsumedCapacity);
	out = await call('TransactWriteItems replay with the same token', client.send(new TransactWriteItemsCommand({
		TransactItems: [
			{ Put: { TableName: T, Item: { ...k('t', 1), v: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
			{ Update: { TableName: T, Key: k('q', 0), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '7' } } } },
			{ Delete: { TableName: T, Key: k('q', 1) } },
			{ ConditionCheck: { TableName: T, Key: k('q', 2), ConditionExpression: 'attribute_exists(pk)' } },
		],
		ClientRequestToken: `tok-${SUFFIX}`,
		ReturnConsumedCapacity: 'INDEXES',
	})));
	await rejects('TransactWriteItems: same token, other parameters', client.send(new TransactWriteItemsCommand({
		TransactItems: [{ Delete: { TableName: T, Key: k('q', 3) } }],
		ClientRequestToken: `tok-${SUFFIX}`,
	})), IdempotentParameterMismatchException, 'IdempotentParameterMismatchException', undefined);

	out = await call('TransactGetItems', client.send(new TransactGetItemsCommand({
		TransactItems: [
			{ Get: { TableName: T, Key: k('t', 1) } },
			{ Get: { TableName: T, Key: k('q', 1) } },
			{ Get: { TableName: T, Key: k('q', 0), ProjectionExpression: 'v' } },
		],
	})));
	eq('TransactGetItems: Responses in request order', [
		{ Item: { ...k('t', 1), v: { N: '1' } } }, {}, { Item: { v: { N: '7' } } },
	], out?.Responses);

	const e = await rejects('TransactWriteItems: a failed condition cancels all', client.send(new TransactWriteItemsCommand({
		TransactItems: [
			{ Put: { TableName: T, Item: { ...k('t', 2) } } },
			{ Update: { TableName: T, Key: k('t', 1), UpdateExpression: 'SET v = :x', ConditionExpression: 'v = :x',
				ExpressionAttributeValues: { ':x': { N: '99' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
			{ ConditionCheck: { TableName: T, Key: k('q', 1), ConditionExpression: 'attribute_exists(pk)' } },
		],
	})), TransactionCanceledException, 'TransactionCanceledException',
	'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed]');
	eq('TransactionCanceledException.CancellationReasons', [
		{ Code: 'None' },
		{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { ...k('t', 1), v: { N: '1' } } },
		{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
	], e?.CancellationReasons);
	out = await call('GetItem: the cancelled Put did not happen', client.send(new GetItemCommand({ TableName: T, Key: k('t', 2) })));
	eq('GetItem: no t/2', undefined, out?.Item);
	await rejects('TransactWriteItems: two operations on one item', client.send(new TransactWriteItemsCommand({
		TransactItems: [
			{ Put: { TableName: T, Item: { ...k('t', 3) } } },
			{ Delete: { TableName: T, Key: k('t', 3) } },
		],
	})), null, 'ValidationException', 'Transaction request cannot include multiple operations on one item');
}

async function meta() {
	let out = await call('UpdateTimeToLive enable', client.send(new UpdateTimeToLiveCommand({
		TableName: T, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' },
	})));
	eq('UpdateTimeToLive: TimeToLiveSpecification', { Enabled: true, AttributeName: 'exp' }, out?.TimeToLiveSpecification);
	out = await call('DescribeTimeToLive', client.send(new DescribeTimeToLiveCommand({ TableName: T })));
	eq('DescribeTimeToLive: AttributeName', 'exp', out?.TimeToLiveDescription?.AttributeName);
	ok('DescribeTimeToLive: ENABLING or ENABLED', ['ENABLING', 'ENABLED'].includes(out?.TimeToLiveDescription?.TimeToLiveStatus),
		out?.TimeToLiveDescription);
	await rejects('UpdateTimeToLive enable again', client.send(new UpdateTimeToLiveCommand({
		TableName: T, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' },
	})), null, 'ValidationException', 'TimeToLive is already enabled');
	out = await call('DescribeTimeToLive (document client table)', client.send(new DescribeTimeToLiveCommand({ TableName: TD })));
	eq('DescribeTimeToLive: DISABLED by default', { TimeToLiveStatus: 'DISABLED' }, out?.TimeToLiveDescription);

	out = await call('ListTagsOfResource (tags from CreateTable)', client.send(new ListTagsOfResourceCommand({ ResourceArn: ARN(T) })));
	eq('ListTagsOfResource: Tags', [{ Key: 'team', Value: 'clients' }], out?.Tags);
	await call('TagResource', client.send(new TagResourceCommand({
		ResourceArn: ARN(T), Tags: [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'sdk' }],
	})));
	out = await call('ListTagsOfResource after TagResource', client.send(new ListTagsOfResourceCommand({ ResourceArn: ARN(T) })));
	eq('ListTagsOfResource: tags merged', [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'sdk' }],
		(out?.Tags ?? []).sort((a, b) => a.Key.localeCompare(b.Key)));
	await call('UntagResource', client.send(new UntagResourceCommand({ ResourceArn: ARN(T), TagKeys: ['team'] })));
	out = await call('ListTagsOfResource after UntagResource', client.send(new ListTagsOfResourceCommand({ ResourceArn: ARN(T) })));
	eq('ListTagsOfResource: one tag left', [{ Key: 'env', Value: 'test' }], out?.Tags);
	await rejects('TagResource on a missing table', client.send(new TagResourceCommand({
		ResourceArn: ARN(`${T}-nope`), Tags: [{ Key: 'a', Value: 'b' }],
	})), ResourceNotFoundException, 'ResourceNotFoundException', undefined);

	out = await call('DescribeLimits', client.send(new DescribeLimitsCommand({})));
	ok('DescribeLimits: four positive limits', out && [out.AccountMaxReadCapacityUnits, out.AccountMaxWriteCapacityUnits,
		out.TableMaxReadCapacityUnits, out.TableMaxWriteCapacityUnits].every((n) => Number.isInteger(n) && n > 0), out);

	// ListTables pagination: three tables of our own, two per page; other tests may
	// create and delete tables meanwhile, so only the order and our own names are exact.
	const names = [`${LIST_PREFIX}-a`, `${LIST_PREFIX}-b`, `${LIST_PREFIX}-c`];
	for (const n of names) {
		await client.send(new CreateTableCommand({
			TableName: n, AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
			KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST',
		}));
	}
	const lpages = [];
	for await (const page of paginateListTables({ client, pageSize: 2 }, { ExclusiveStartTableName: `${LIST_PREFIX}` })) {
		lpages.push(page);
		if (lpages.length > 500) {
			break;
		}
	}
	const listed = lpages.flatMap((p) => p.TableNames);
	ok('paginateListTables: at most 2 names per page', lpages.every((p) => p.TableNames.length <= 2), lpages.map((p) => p.TableNames));
	eq('paginateListTables: our three tables, first after the start name', names, listed.slice(0, 3));
	ok('paginateListTables: names ascending, no repeats', listed.every((n, i) => i === 0 || listed[i - 1] < n), listed);
	eq('ListTables Limit 2: LastEvaluatedTableName is the last name',
		names[1], (await client.send(new ListTablesCommand({ ExclusiveStartTableName: LIST_PREFIX, Limit: 2 }))).LastEvaluatedTableName);
	await rejects('ListTables Limit 0', client.send(new ListTablesCommand({ Limit: 0 })), null, 'ValidationException',
		/Member must have value greater than or equal to 1/);

	// UpdateTable, then DeleteTable + waitUntilTableNotExists.
	out = await call('UpdateTable throughput', client.send(new UpdateTableCommand({
		TableName: names[0], BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 2 },
	})));
	eq('UpdateTable: new throughput in the description', [3, 2],
		[out?.TableDescription?.ProvisionedThroughput?.ReadCapacityUnits, out?.TableDescription?.ProvisionedThroughput?.WriteCapacityUnits]);
	for (const n of names) {
		out = await call(`DeleteTable ${n.slice(-1)}`, client.send(new DeleteTableCommand({ TableName: n })));
		eq(`DeleteTable ${n.slice(-1)}: TableName`, n, out?.TableDescription?.TableName);
	}
	const w = await call('waitUntilTableNotExists', waitUntilTableNotExists(
		{ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: names[2] }));
	eq('waitUntilTableNotExists: state', 'SUCCESS', w?.state);
	await rejects('DeleteTable of a deleted table', client.send(new DeleteTableCommand({ TableName: names[2] })),
		ResourceNotFoundException, 'ResourceNotFoundException', `Requested resource not found: Table: ${names[2]} not found`);
}

async function documentClient() {
	const item = {
		id: 'd1',
		str: 'hello',
		int: 42,
		neg: -7,
		float: 3.25,
		bool: true,
		nul: null,
		bin: new Uint8Array([0, 1, 2, 255]),
		strs: new Set(['b', 'a']),
		nums: new Set([1, 2.5, 3]),
		bins: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
		list: [1, 'two', false, null, { deep: [{ deeper: 'yes' }] }],
		map: { a: 1, b: { c: ['x', { d: 2 }] }, e: {} },
		emptyList: [],
		skipped: undefined,
	};
	let out = await call('doc Put (native types)', doc.send(new PutCommand({ TableName: TD, Item: item })));
	out = await call('doc Get', doc.send(new GetCommand({ TableName: TD, Key: { id: 'd1' }, ConsistentRead: true })));
	const expected = { ...item };
	delete expected.skipped;
	eq('doc Get: the item round-trips (numbers, sets, binary, nested maps/lists)', expected, out?.Item);
	out = await call('low-level GetItem of the document item', client.send(new GetItemCommand({ TableName: TD, Key: { id: { S: 'd1' } } })));
	eq('doc item on the wire: number set', ['1', '2.5', '3'], (out?.Item?.nums?.NS ?? []).slice().sort());
	eq('doc item on the wire: binary', { B: new Uint8Array([0, 1, 2, 255]) }, out?.Item?.bin);
	eq('doc item on the wire: nested list member', { M: { deep: { L: [{ M: { deeper: { S: 'yes' } } }] } } }, out?.Item?.list?.L?.[4]);
	eq('doc item on the wire: null', { NULL: true }, out?.Item?.nul);

	out = await call('doc Update (ADD to sets, list_append, nested SET, ALL_NEW)', doc.send(new UpdateCommand({
		TableName: TD, Key: { id: 'd1' },
		UpdateExpression: 'ADD strs :s, nums :n, #int :one SET #map.#b.c[1].d = :d, #list = list_append(#list, :more) DELETE bins :b REMOVE nul',
		ExpressionAttributeNames: { '#map': 'map', '#b': 'b', '#list': 'list', '#int': 'int' },
		ExpressionAttributeValues: { ':s': new Set(['c']), ':n': new Set([4]), ':one': 1, ':d': 'two', ':more': [{ k: 'v' }],
			':b': new Set([new Uint8Array([1])]) },
		ReturnValues: 'ALL_NEW',
	})));
	const a = out?.Attributes;
	eq('doc Update: string set', new Set(['a', 'b', 'c']), a?.strs);
	eq('doc Update: number set', new Set([1, 2.5, 3, 4]), a?.nums);
	eq('doc Update: binary set', new Set([new Uint8Array([2, 3])]), a?.bins);
	eq('doc Update: counter', 43, a?.int);
	eq('doc Update: nested path', { a: 1, b: { c: ['x', { d: 'two' }] }, e: {} }, a?.map);
	eq('doc Update: list_append', [1, 'two', false, null, { deep: [{ deeper: 'yes' }] }, { k: 'v' }], a?.list);
	eq('doc Update: removed attribute', false, a ? 'nul' in a : null);

	out = await call('doc Put a big number (string form)', doc.send(new PutCommand({
		TableName: TD, Item: { id: 'big', n: NumberValue.from('12345678901234567890123456789.5'), small: 1 },
	})));
	out = await call('doc Get with wrapNumbers', docWrapped.send(new GetCommand({ TableName: TD, Key: { id: 'big' } })));
	ok('doc Get wrapNumbers: NumberValue', out?.Item?.n instanceof NumberValue, out?.Item?.n);
	eq('doc Get wrapNumbers: 38-digit precision kept', '12345678901234567890123456789.5', out?.Item?.n?.value);
	try {
		await doc.send(new GetCommand({ TableName: TD, Key: { id: 'big' } }));
		fail('doc Get of a big number without wrapNumbers: throws', 'it resolved');
	} catch (err) {
		ok('doc Get of a big number without wrapNumbers: the SDK refuses to lose precision (not a service error)',
			!(err instanceof DynamoDBServiceException) && /wrapNumbers/.test(err.message), err.message);
	}
	// BatchWrite / paginated Query and Scan / BatchGet / Transact* through the document client.
	const rows = Array.from({ length: 12 }, (_, i) => ({ id: `row${String(i).padStart(2, '0')}`, i, even: i % 2 === 0 }));
	out = await call('doc BatchWrite 12 puts', doc.send(new BatchWriteCommand({
		RequestItems: { [TD]: rows.map((Item) => ({ PutRequest: { Item } })) },
	})));
	eq('doc BatchWrite: UnprocessedItems', {}, out?.UnprocessedItems);
	out = await call('doc BatchGet', doc.send(new BatchGetCommand({
		RequestItems: { [TD]: { Keys: [{ id: 'row03' }, { id: 'row11' }, { id: 'missing' }] } },
	})));
	eq('doc BatchGet: items', [{ id: 'row03', i: 3, even: false }, { id: 'row11', i: 11, even: false }],
		(out?.Responses?.[TD] ?? []).sort((x, y) => x.i - y.i));

	const seen = [];
	let npages = 0;
	for await (const page of docPaginateScan({ client: doc, pageSize: 5 }, {
		TableName: TD, FilterExpression: 'even = :t', ExpressionAttributeValues: { ':t': true },
	})) {
		npages++;
		seen.push(...page.Items.map((it) => it.i));
	}
	eq('doc paginateScan: even rows', [0, 2, 4, 6, 8, 10], seen.sort((x, y) => x - y));
	eq('doc paginateScan: pages (14 items, 5 a page)', 3, npages);
	const q = [];
	for await (const page of docPaginateQuery({ client: doc, pageSize: 1 }, {
		TableName: TD, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': 'row05' },
	})) {
		q.push(page.Items);
	}
	eq('doc paginateQuery: one item, then an empty last page', [[{ id: 'row05', i: 5, even: false }], []], q);
	out = await call('doc Query', doc.send(new DocQueryCommand({
		TableName: TD, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': 'd1' },
		ProjectionExpression: '#m.b.c[1], strs', ExpressionAttributeNames: { '#m': 'map' },
	})));
	eq('doc Query: projection of a nested list element', [{ map: { b: { c: [{ d: 'two' }] } }, strs: new Set(['a', 'b', 'c']) }], out?.Items);
	out = await call('doc Scan Select COUNT', doc.send(new DocScanCommand({ TableName: TD, Select: 'COUNT' })));
	eq('doc Scan COUNT', [14, undefined], [out?.Count, out?.Items]);

	out = await call('doc TransactWrite', doc.send(new TransactWriteCommand({
		TransactItems: [
			{ Put: { TableName: TD, Item: { id: 'tx1', tags: new Set(['n']) }, ConditionExpression: 'attribute_not_exists(id)' } },
			{ Update: { TableName: TD, Key: { id: 'row00' }, UpdateExpression: 'SET i = i + :d', ExpressionAttributeValues: { ':d': 100 } } },
			{ Delete: { TableName: TD, Key: { id: 'row01' } } },
		],
	})));
	out = await call('doc TransactGet', doc.send(new TransactGetCommand({
		TransactItems: [{ Get: { TableName: TD, Key: { id: 'tx1' } } }, { Get: { TableName: TD, Key: { id: 'row00' } } },
			{ Get: { TableName: TD, Key: { id: 'row01' } } }],
	})));
	eq('doc TransactGet: responses', [{ Item: { id: 'tx1', tags: new Set(['n']) } }, { Item: { id: 'row00', i: 100, even: true } }, {}],
		out?.Responses);
	const e = await rejects('doc TransactWrite cancelled', doc.send(new TransactWriteCommand({
		TransactItems: [
			{ Put: { TableName: TD, Item: { id: 'tx1' }, ConditionExpression: 'attribute_not_exists(id)' } },
			{ Delete: { TableName: TD, Key: { id: 'row02' } } },
		],
	})), TransactionCanceledException, 'TransactionCanceledException',
	'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]');
	eq('doc TransactWrite cancelled: reason codes', ['ConditionalCheckFailed', 'None'], e?.CancellationReasons?.map((r) => r.Code));

	await rejects('doc Put condition false', doc.send(new PutCommand({
		TableName: TD, Item: { id: 'd1' }, ConditionExpression: 'attribute_not_exists(id)',
	})), ConditionalCheckFailedException, 'ConditionalCheckFailedException', 'The conditional request failed');
	out = await call('doc Delete ALL_OLD', doc.send(new DeleteCommand({ TableName: TD, Key: { id: 'tx1' }, ReturnValues: 'ALL_OLD' })));
	eq('doc Delete ALL_OLD: Attributes', { id: 'tx1', tags: new Set(['n']) }, out?.Attributes);
}

// A table of 1 WCU: writes beyond its burst (300 s of unused capacity, developer guide
// "Burst capacity") are throttled; a client without retries sees the modeled exception,
// the standard retry strategy backs off and retries until the bucket refills.
async function throttling() {
	const TT = `sdkjs-thr-${SUFFIX}`;
	const c1 = new DynamoDBClient({ maxAttempts: 1 });
	await call('CreateTable 1 RCU / 1 WCU', client.send(new CreateTableCommand({
		TableName: TT, AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
		KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
		ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
	})));
	await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: TT });
	let n = 0;
	let err;
	const t0 = Date.now();
	for (; n < 1000 && err === undefined; n++) {
		await c1.send(new PutItemCommand({ TableName: TT, Item: { k: { S: `k${n}` } } })).catch((e) => { err = e; });
	}
	// 300 from the burst, plus the 1 WCU a second that refilled meanwhile, plus the throttled one
	const refill = Math.ceil((Date.now() - t0) / 1000);
	ok('throttling: the burst allows 300 one-WCU writes, plus the refill', n >= 301 && n <= 301 + refill, { n, refill });
	ok('throttling: ProvisionedThroughputExceededException instance', err instanceof ProvisionedThroughputExceededException, err?.name);
	eq('throttling: message', 'The level of configured provisioned throughput for the table was exceeded. ' +
		'Consider increasing your provisioning level with the UpdateTable API.', err?.message);
	eq('throttling: one attempt, HTTP 400', [1, 400], [err?.$metadata?.attempts, err?.$metadata?.httpStatusCode]);
	// (the standard retry strategy, with room for the bucket to refill: 1 WCU a second)
	const c10 = new DynamoDBClient({ maxAttempts: 10 });
	const out = await call('PutItem with the standard retry strategy', c10.send(new PutItemCommand({
		TableName: TT, Item: { k: { S: 'retried' } },
	})));
	ok('PutItem retried: more than one attempt', out?.$metadata?.attempts > 1, out?.$metadata);
	await call(`DeleteTable ${TT}`, client.send(new DeleteTableCommand({ TableName: TT })));
}

async function cleanup() {
	for (const t of [T, TD]) {
		await call(`DeleteTable ${t}`, client.send(new DeleteTableCommand({ TableName: t })));
	}
}

async function main() {
	if (!process.env.AWS_ENDPOINT_URL) {
		fail('AWS_ENDPOINT_URL is set', 'it is not');
	} else if (await tables()) {
		for (const part of [items, batches, reads, transactions, meta, documentClient, throttling]) {
			try {
				await part();
			} catch (e) {
				fail(`${part.name}: ran to the end`, `${e.name}: ${e.message} ${e.stack?.split('\n')[1] ?? ''}`);
			}
		}
		await cleanup();
	}
	console.log(`sdk-js: ${passed} passed, ${failed} failed`);
	process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

await main();
