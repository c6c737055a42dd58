# tests/e2e/test_aws_s3.sh - the object store through both AWS CLIs (path style REST)
# and plain curl. Behaviour per the Amazon S3 API Reference (PutObject, HeadObject,
# ListObjectsV2, DeleteBucket) and the AWS CLI s3 command reference.

s3_scenario() {
	local c=$1 b
	cli_or_skip "$c" || return 0
	b="e2e-b-$c-$(uniq_suffix)"
	local d=$E2E_TMP/s3.$c
	mkdir -p "$d"

	awsc_ok "[$c] s3 mb s3://$b" s3 mb "s3://$b" || return 1
	assert_contains "[$c] s3 mb output" "make_bucket: $b" "$OUT"
	awsc_ok "[$c] s3 ls (buckets)" s3 ls
	assert_match "[$c] s3 ls lists the bucket" "(^|[[:space:]])$b(\$|[[:space:]])" "$OUT"
	if e2e_extras "$c"; then
		awsc s3 mb "s3://$b"
		assert_ne "[$c] s3 mb of an existing bucket fails" 0 "$RC"
		assert_match "[$c] existing bucket: BucketAlreadyOwnedByYou / BucketAlreadyExists" \
			'BucketAlreadyOwnedByYou|BucketAlreadyExists' "$ERR"
	fi

	# --- cp up and down, byte-identical (300 KB of random bytes) ---
	head -c 307200 /dev/urandom >"$d/rand.bin"
	local md5
	md5=$(md5sum "$d/rand.bin" | cut -d' ' -f1)
	awsc_ok "[$c] s3 cp up (300 KB)" s3 cp "$d/rand.bin" "s3://$b/dir/rand.bin"
	assert_contains "[$c] s3 cp up output" "upload: " "$OUT"
	awsc_ok "[$c] s3 cp down" s3 cp "s3://$b/dir/rand.bin" "$d/back.bin"
	if cmp -s "$d/rand.bin" "$d/back.bin"; then
		e2e_pass "[$c] downloaded bytes identical"
	else
		e2e_fail "[$c] downloaded bytes identical: sent $(wc -c <"$d/rand.bin"), got $(wc -c <"$d/back.bin" 2>/dev/null): $(cmp "$d/rand.bin" "$d/back.bin" 2>&1)"
	fi
	awsc_ok "[$c] s3api head-object rand.bin" s3api head-object --bucket "$b" --key dir/rand.bin
	assert_json "[$c] head-object: ContentLength" "$OUT" .ContentLength 307200
	assert_json "[$c] head-object: ETag is the MD5" "$OUT" .ETag "\"\\\"$md5\\\"\""
	# v2 prints ISO 8601; v1 prints the wire value (RFC 1123, cli_timestamp_format none).
	assert_match "[$c] head-object: LastModified" '^([0-9]{4}-[0-9]{2}-[0-9]{2}T|[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$)' \
		"$(jqr "$OUT" .LastModified)"

	# --- content type kept ---
	printf 'some notes\n' >"$d/notes.txt"
	awsc_ok "[$c] s3 cp --content-type text/plain" s3 cp "$d/notes.txt" "s3://$b/notes/a.txt" --content-type text/plain
	awsc_ok "[$c] s3api head-object a.txt" s3api head-object --bucket "$b" --key notes/a.txt
	assert_json "[$c] head-object: ContentType kept" "$OUT" .ContentType '"text/plain"'
	assert_json "[$c] head-object: ContentLength" "$OUT" .ContentLength 11
	if e2e_extras "$c"; then
		awsc_ok "[$c] s3api put-object --content-type image/png" s3api put-object --bucket "$b" --key notes/p.png \
			--body "$d/notes.txt" --content-type image/png
		assert_json "[$c] put-object: ETag" "$OUT" .ETag "\"\\\"$(md5sum "$d/notes.txt" | cut -d' ' -f1)\\\"\""
		awsc s3api head-object --bucket "$b" --key notes/p.png
		assert_json "[$c] head-object p.png: ContentType" "$OUT" .ContentType '"image/png"'
		awsc_ok "[$c] s3api get-object --range bytes=0-9" s3api get-object --bucket "$b" --key dir/rand.bin \
			--range bytes=0-9 "$d/range.bin"
		assert_json "[$c] ranged get: ContentRange" "$OUT" .ContentRange '"bytes 0-9/307200"'
		assert_eq "[$c] ranged get: the first 10 bytes" "$(head -c 10 "$d/rand.bin" | od -An -tx1)" "$(od -An -tx1 <"$d/range.bin")"
	fi

	# --- ls, ls --recursive ---
	awsc_ok "[$c] s3 ls s3://$b" s3 ls "s3://$b"
	assert_match "[$c] s3 ls: PRE dir/" 'PRE dir/' "$OUT"
	assert_match "[$c] s3 ls: PRE notes/" 'PRE notes/' "$OUT"
	if e2e_extras "$c"; then
		awsc_ok "[$c] s3 ls s3://$b/dir/" s3 ls "s3://$b/dir/"
		assert_match "[$c] s3 ls dir/: size and name" '[[:space:]]307200 rand\.bin' "$OUT"
	fi
	awsc_ok "[$c] s3 ls --recursive" s3 ls --recursive "s3://$b"
	local want="dir/rand.bin notes/a.txt"
	e2e_extras "$c" && want="$want notes/p.png"
	assert_eq "[$c] s3 ls --recursive: keys" "$want" \
		"$(printf '%s\n' "$OUT" | awk '{print $4}' | sort | xargs)"

	# --- list-objects-v2 --prefix with paging ---
	local i
	mkdir -p "$d/p"
	for i in 0 1 2 3 4; do
		printf 'obj %s' "$i" >"$d/p/$i"
	done
	awsc_ok "[$c] s3 cp --recursive (5 objects under p/)" s3 cp --recursive "$d/p" "s3://$b/p/"
	awsc_ok "[$c] list-objects-v2 --prefix p/ --max-items 2" s3api list-objects-v2 --bucket "$b" \
		--prefix p/ --page-size 2 --max-items 2
	assert_json "[$c] page 1 keys" "$OUT" '[.Contents[].Key]' '["p/0","p/1"]'
	local nt
	nt=$(jqr "$OUT" '.NextToken // empty')
	assert_ne "[$c] page 1 NextToken" "" "$nt"
	awsc_ok "[$c] list-objects-v2 page 2" s3api list-objects-v2 --bucket "$b" \
		--prefix p/ --page-size 2 --max-items 2 --starting-token "$nt"
	assert_json "[$c] page 2 keys" "$OUT" '[.Contents[].Key]' '["p/2","p/3"]'
	nt=$(jqr "$OUT" '.NextToken // empty')
	awsc_ok "[$c] list-objects-v2 page 3" s3api list-objects-v2 --bucket "$b" \
		--prefix p/ --page-size 2 --max-items 2 --starting-token "$nt"
	assert_json "[$c] page 3 keys, no NextToken" "$OUT" '{k: [.Contents[].Key], t: .NextToken}' '{"k":["p/4"],"t":null}'
	if e2e_extras "$c"; then
		awsc_ok "[$c] list-objects-v2 --max-keys 2 --no-paginate" s3api list-objects-v2 --bucket "$b" \
			--prefix p/ --max-keys 2 --no-paginate
		assert_json "[$c] server page: KeyCount, IsTruncated, MaxKeys" "$OUT" '{KeyCount, IsTruncated, MaxKeys, Prefix}' \
			'{"KeyCount":2,"IsTruncated":true,"MaxKeys":2,"Prefix":"p/"}'
		local ct
		ct=$(jqr "$OUT" '.NextContinuationToken // empty')
		assert_ne "[$c] server page: NextContinuationToken" "" "$ct"
		awsc s3api list-objects-v2 --bucket "$b" --prefix p/ --max-keys 2 --no-paginate --continuation-token "$ct"
		assert_json "[$c] continuation page" "$OUT" '{k: [.Contents[].Key], IsTruncated}' '{"k":["p/2","p/3"],"IsTruncated":true}'
		awsc_ok "[$c] list-objects-v2 --delimiter /" s3api list-objects-v2 --bucket "$b" --delimiter /
		assert_json "[$c] delimiter: CommonPrefixes" "$OUT" '[.CommonPrefixes[].Prefix]' '["dir/","notes/","p/"]'
		assert_json "[$c] delimiter: no top-level objects" "$OUT" '.Contents // [] | length' 0
	fi

	# --- rm, rb ---
	awsc_ok "[$c] s3 rm one object" s3 rm "s3://$b/dir/rand.bin"
	assert_contains "[$c] s3 rm output" "delete: s3://$b/dir/rand.bin" "$OUT"
	awsc s3api head-object --bucket "$b" --key dir/rand.bin
	assert_ne "[$c] head-object of a removed key fails" 0 "$RC"
	assert_match "[$c] head-object of a removed key: 404" '404|Not Found' "$ERR"
	if e2e_extras "$c"; then
		awsc s3api get-object --bucket "$b" --key dir/rand.bin "$d/none.bin"
		assert_contains "[$c] get-object of a removed key: NoSuchKey" NoSuchKey "$ERR"
		awsc s3 rb "s3://$b"
		assert_ne "[$c] s3 rb of a non-empty bucket fails" 0 "$RC"
		assert_contains "[$c] s3 rb non-empty: BucketNotEmpty" BucketNotEmpty "$ERR"
	fi
	awsc_ok "[$c] s3 rm --recursive" s3 rm --recursive "s3://$b"
	if e2e_extras "$c"; then
		awsc_ok "[$c] s3 ls --recursive after rm" s3 ls --recursive "s3://$b"
		assert_eq "[$c] bucket empty after rm --recursive" "" "$OUT"
	fi
	awsc_ok "[$c] s3 rb" s3 rb "s3://$b"
	assert_contains "[$c] s3 rb output" "remove_bucket: $b" "$OUT"
	if e2e_extras "$c"; then
		awsc s3api head-bucket --bucket "$b"
		assert_ne "[$c] head-bucket after rb fails" 0 "$RC"
		assert_match "[$c] head-bucket after rb: 404" '404|Not Found' "$ERR"
		awsc s3 ls "s3://$b"
		assert_contains "[$c] s3 ls of a removed bucket: NoSuchBucket" NoSuchBucket "$ERR"
	fi
}

# The CLIs switch to multipart upload at 8 MiB (s3 cp --multipart_threshold default).
s3_multipart_scenario() {
	local c=$1 b
	cli_or_skip "$c" || return 0
	b="e2e-mp-$c-$(uniq_suffix)"
	local d=$E2E_TMP/mp.$c
	mkdir -p "$d"
	awsc_ok "[$c] s3 mb s3://$b" s3 mb "s3://$b" || return 1
	head -c $((9 * 1024 * 1024 + 123)) /dev/urandom >"$d/big.bin"
	awsc_ok "[$c] s3 cp up 9 MiB (multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload)" \
		s3 cp "$d/big.bin" "s3://$b/big.bin" || { awsc s3 rb --force "s3://$b"; return 1; }
	awsc_ok "[$c] s3 cp down 9 MiB" s3 cp "s3://$b/big.bin" "$d/big.back"
	if cmp -s "$d/big.bin" "$d/big.back"; then
		e2e_pass "[$c] 9 MiB multipart object byte-identical"
	else
		e2e_fail "[$c] 9 MiB multipart object byte-identical: $(cmp "$d/big.bin" "$d/big.back" 2>&1)"
	fi
	awsc s3api head-object --bucket "$b" --key big.bin
	assert_json "[$c] multipart object: ContentLength" "$OUT" .ContentLength $((9 * 1024 * 1024 + 123))
	assert_match "[$c] multipart object: ETag md5-N" '^"[0-9a-f]{32}-[0-9]+"$' "$(jqr "$OUT" .ETag)"
	awsc s3 rm --recursive "s3://$b"
	awsc s3 rb "s3://$b"
}

# Object tagging: PutObject x-amz-tagging, Put/Get/DeleteObjectTagging, GetObject's
# TagCount, CopyObject's tagging directive (s3 cp between keys copies tags), S3's errors.
# Source: S3 API Reference (PutObjectTagging, GetObjectTagging, DeleteObjectTagging,
# PutObject, CopyObject); User Guide, "Categorizing your storage using tags".
s3_tagging_scenario() {
	local c=$1 b
	cli_or_skip "$c" || return 0
	b="e2e-tag-$c-$(uniq_suffix)"
	local d=$E2E_TMP/tag.$c
	local tags='[.TagSet[] | "\(.Key)=\(.Value)"]'
	mkdir -p "$d"
	printf 'tagged\n' >"$d/t.txt"
	awsc_ok "[$c] s3 mb s3://$b" s3 mb "s3://$b" || return 1
	awsc_ok "[$c] put-object --tagging" s3api put-object --bucket "$b" --key t.txt --body "$d/t.txt" \
		--tagging 'team=data%20eng&stage=raw'
	awsc_ok "[$c] get-object-tagging" s3api get-object-tagging --bucket "$b" --key t.txt
	assert_json "[$c] get-object-tagging: the header's tags, in key order" "$OUT" "$tags" '["stage=raw","team=data eng"]'
	awsc_ok "[$c] get-object" s3api get-object --bucket "$b" --key t.txt "$d/t.back"
	assert_json "[$c] get-object: TagCount" "$OUT" .TagCount 2
	awsc_ok "[$c] put-object-tagging" s3api put-object-tagging --bucket "$b" --key t.txt \
		--tagging 'TagSet=[{Key=owner,Value=ann},{Key=tier,Value=gold}]'
	awsc_ok "[$c] get-object-tagging after put" s3api get-object-tagging --bucket "$b" --key t.txt
	assert_json "[$c] put-object-tagging replaced the set" "$OUT" "$tags" '["owner=ann","tier=gold"]'
	awsc s3api put-object-tagging --bucket "$b" --key t.txt --tagging 'TagSet=[{Key=aws:x,Value=1}]'
	assert_ne "[$c] put-object-tagging aws: key fails" 0 "$RC"
	assert_contains "[$c] aws: key: InvalidTag message" "(InvalidTag)" "$ERR"
	assert_contains "[$c] aws: key: S3's message" "Your TagKey cannot be prefixed with aws:" "$ERR"
	awsc s3api put-object-tagging --bucket "$b" --key t.txt \
		--tagging 'TagSet=[{Key=k,Value=1},{Key=k,Value=2}]'
	assert_contains "[$c] duplicate keys: InvalidTag" "Cannot provide multiple Tags with the same key" "$ERR"
	awsc s3api get-object-tagging --bucket "$b" --key nope
	assert_contains "[$c] get-object-tagging of a missing key: NoSuchKey" NoSuchKey "$ERR"
	# s3 cp of a tagged object: down keeps the bytes, S3 to S3 copies the tags.
	awsc_ok "[$c] s3 cp down a tagged object" s3 cp "s3://$b/t.txt" "$d/t.down"
	assert_eq "[$c] s3 cp down: bytes" "tagged" "$(cat "$d/t.down")"
	awsc_ok "[$c] s3 cp s3:// to s3:// (CopyObject)" s3 cp "s3://$b/t.txt" "s3://$b/copy.txt"
	awsc_ok "[$c] get-object-tagging of the copy" s3api get-object-tagging --bucket "$b" --key copy.txt
	assert_json "[$c] the copy has the source's tags" "$OUT" "$tags" '["owner=ann","tier=gold"]'
	awsc_ok "[$c] copy-object --tagging-directive REPLACE" s3api copy-object --bucket "$b" --key repl.txt \
		--copy-source "$b/t.txt" --tagging-directive REPLACE --tagging 'new=1'
	awsc_ok "[$c] get-object-tagging of the REPLACE copy" s3api get-object-tagging --bucket "$b" --key repl.txt
	assert_json "[$c] REPLACE copy has x-amz-tagging's tags" "$OUT" "$tags" '["new=1"]'
	awsc_ok "[$c] delete-object-tagging" s3api delete-object-tagging --bucket "$b" --key t.txt
	awsc_ok "[$c] get-object-tagging after delete" s3api get-object-tagging --bucket "$b" --key t.txt
	assert_json "[$c] no tags after delete-object-tagging" "$OUT" '.TagSet | length' 0
	awsc s3api put-object --bucket "$b" --key repl.txt --body "$d/t.txt"
	awsc_ok "[$c] get-object-tagging after an overwrite" s3api get-object-tagging --bucket "$b" --key repl.txt
	assert_json "[$c] overwriting without --tagging clears the tags" "$OUT" '.TagSet | length' 0
	awsc s3 rm --recursive "s3://$b"
	awsc_ok "[$c] s3 rb" s3 rb "s3://$b"
}

test_s3_tagging() {
	local c
	for c in v1 v2; do
		if [ -n "$(cli_path $c)" ]; then
			s3_tagging_scenario $c
		fi
	done
}

test_s3_cli_v2() {
	s3_scenario v2
}

test_s3_cli_v1() {
	s3_scenario v1
}

# Multipart is the same REST protocol for both CLIs: run it with one (see e2e_extras).
test_s3_multipart() {
	local c
	for c in v1 v2; do
		if [ -n "$(cli_path $c)" ] && e2e_extras $c; then
			s3_multipart_scenario $c
		fi
	done
}

# A registered user's profile picture is a public URL: plain curl, no credentials.
test_s3_public_profile_picture() {
	local png=$E2E_TMP/pic.png
	make_png "$png"
	tw_register @pic_user pw "$png"
	assert_eq "register @pic_user" 200 "$ST" || return 1
	local url
	url=$(jqr "$BODY" .user.imageUrl)
	assert_eq "imageUrl is under the local AWS endpoint" "$AWS_EP/tweeter-images/image/@pic_user.png" "$url"
	local got=$E2E_TMP/pic.got
	local code ctype
	code=$(curl -s --max-time 10 -o "$got" -w '%{http_code}' "$url")
	ctype=$(curl -s --max-time 10 -o /dev/null -w '%{content_type}' "$url")
	assert_eq "GET profile picture: status" 200 "$code"
	assert_eq "GET profile picture: Content-Type" image/png "$ctype"
	if cmp -s "$png" "$got"; then
		e2e_pass "GET profile picture: bytes identical"
	else
		e2e_fail "GET profile picture: bytes identical: $(cmp "$png" "$got" 2>&1)"
	fi
	HDRS=$(curl -s --max-time 10 -I "$url" | tr -d '\r')
	assert_match "HEAD profile picture: status 200" '^HTTP/[0-9.]+ 200' "$HDRS"
	assert_eq "HEAD profile picture: Content-Length" "$(wc -c <"$png" | tr -d ' ')" "$(header content-length)"
	http GET "$AWS_EP/tweeter-images/image/@no_such_user.png"
	assert_eq "GET a missing picture: status" 404 "$ST"
	assert_contains "GET a missing picture: NoSuchKey" "<Code>NoSuchKey</Code>" "$BODY"
}
