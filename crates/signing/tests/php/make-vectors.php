<?php
// Verdicts of PHP itself on signed URLs and messages, for tests/php_verdicts.rs.
//
//   php crates/signing/tests/php/make-vectors.php > crates/signing/tests/vectors/php-verdicts.json
//
// Every verdict comes from php_url_check() / php_message_check() below, the
// host's published checks: nothing here states a verdict by hand. Signing
// uses the same functions, so "valid" means "PHP accepts what PHP signed".
// Deterministic: fixed secrets, timestamps and mt_rand seed.

declare(strict_types=1);

const BASE = 'https://shop.example.com:8443/mp/shop/';
const TS = 1763984293;
const SECRET = 's3cr3t';

// ---- The URL scheme: parse_str, unset signature, ksort (top level), RFC 1738.

function url_canonical(string $base, string $query): string
{
    parse_str($query, $params);
    unset($params['signature']);
    ksort($params);
    return $base . '?' . http_build_query($params);
}

function url_sign(string $secret, string $base, string $query): string
{
    return hash_hmac('sha256', url_canonical($base, $query), $secret);
}

/** The host's check (freshness aside, which is ours to choose). */
function php_url_check(string $secret, string $url): bool
{
    [$base, $query] = explode('?', $url, 2) + [1 => ''];
    parse_str($query, $params);
    $given = $params['signature'] ?? null;
    if (!is_string($given)) {
        return false; // hash_equals() would throw a TypeError: refused.
    }
    return hash_equals(url_sign($secret, $base, $query), $given);
}

$url_vectors = [];

function url_vector(string $secret, string $url, string $note): void
{
    global $url_vectors;
    $url_vectors[] = [
        'secret' => $secret,
        'url' => $url,
        'valid' => php_url_check($secret, $url),
        'note' => $note,
    ];
}

/** `$wire` as sent, plus `&signature=` signed by PHP over `$wire`. */
function signed(string $wire, string $secret = SECRET, string $base = BASE): string
{
    return $base . '?' . $wire . '&signature=' . url_sign($secret, $base, $wire);
}

/** A signed URL whose wire query is then rewritten (after signing). */
function resent(string $url, string $from, string $to): string
{
    if (substr_count($url, $from) !== 1) {
        throw new LogicException("'$from' not once in $url");
    }
    return str_replace($from, $to, $url);
}

function signature_of(string $url): string
{
    return substr($url, strrpos($url, 'signature=') + 10);
}

function with_signature(string $url, string $sig): string
{
    return substr($url, 0, strrpos($url, 'signature=') + 10) . $sig;
}

$t = 'timestamp=' . TS;
$host = "customerWebId=21477&userId=342&apiClaim=804b76f2b639137d.9&parameterCacheId=e99f40067f2c&$t";

// Nested arrays in the order they arrive: ksort does not reach them.
$cases = [
    'imageIds in descending order' => ['imageIds[1]=759&imageIds[0]=853', 'imageIds[0]=853&imageIds[1]=759'],
    'imageIds, encoded brackets, unsorted' => ['imageIds%5B1%5D=759&imageIds%5B0%5D=853', 'imageIds%5B0%5D=853&imageIds%5B1%5D=759'],
    'imageIds 2 before 10' => ['imageIds[10]=a&imageIds[2]=b', 'imageIds[2]=b&imageIds[10]=a'],
    'deeper nesting a[x][2], a[x][1]' => ['a[x][2]=two&a[x][1]=one', 'a[x][1]=one&a[x][2]=two'],
    'deeper nesting, second level unsorted' => ['a[y][0]=1&a[x][0]=2', 'a[x][0]=2&a[y][0]=1'],
    'three levels unsorted' => ['p[1][price]=9.90&p[1][name]=Foto&p[0][name]=Text', 'p[1][name]=Foto&p[1][price]=9.90&p[0][name]=Text'],
    'mixed numeric and string keys in a nested array' => ['m[b]=1&m[10]=2&m[2]=3&m[a]=4&m[05]=5', 'm[2]=3&m[10]=2&m[05]=5&m[a]=4&m[b]=1'],
    'nested upper and lower case keys' => ['n[b]=1&n[B]=2&n[_]=3', 'n[B]=2&n[_]=3&n[b]=1'],
    'nested numeric-looking strings' => ['q[1e1]=a&q[9]=b&q[ 7]=c', 'q[ 7]=c&q[9]=b&q[1e1]=a'],
];
foreach ($cases as $what => [$wire, $reordered]) {
    $url = signed("$host&$wire");
    url_vector(SECRET, $url, "$what, signed as PHP does");
    url_vector(SECRET, resent($url, $wire, $reordered), "$what, reordered after signing");
    // A signer that sorts recursively (not what the host does).
    parse_str("$host&$wire", $p);
    $deep = $p;
    array_walk($deep, function (&$v) {
        if (is_array($v)) {
            ksort_deep($v);
        }
    });
    ksort($deep);
    $wrong = hash_hmac('sha256', BASE . '?' . http_build_query($deep), SECRET);
    if (http_build_query($deep) !== substr(url_canonical(BASE, "$host&$wire"), strlen(BASE) + 1)) {
        url_vector(SECRET, BASE . "?$host&$wire&signature=$wrong", "$what, signed with a recursive ksort");
    }
}

function ksort_deep(array &$a): void
{
    ksort($a);
    foreach ($a as &$v) {
        if (is_array($v)) {
            ksort_deep($v);
        }
    }
}

// Top-level order: ksort with PHP 8 SORT_REGULAR.
url_vector(SECRET, signed("10=a&9=b&B=c&a=d&_=e&UserLanguage=DEU&apiClaim=x&$t"), 'top level: numbers, upper case, underscore');
url_vector(SECRET, signed("1e1=a&10=b&05=c&9=d&$t"), 'top level: numeric strings tie with integers');
url_vector(SECRET, signed("10=b&1e1=a&05=c&9=d&$t"), 'top level: the same tie in the other order');
url_vector(SECRET, signed("z=1&$t&a[1]=x&a[0]=y&A=2"), 'top level shuffled around a nested array');

// Signature case: hash_equals compares strings.
$ok = signed("$host&imageIds[0]=1");
url_vector(SECRET, $ok, 'lowercase signature');
url_vector(SECRET, with_signature($ok, strtoupper(signature_of($ok))), 'upper-case signature');
$mixed = signature_of($ok);
for ($i = 0; $i < 64; $i += 2) {
    $mixed[$i] = strtoupper($mixed[$i]);
}
url_vector(SECRET, with_signature($ok, $mixed), 'mixed-case signature');
$one = signature_of($ok);
$p = strcspn($one, 'abcdef');
$one[$p] = strtoupper($one[$p]);
url_vector(SECRET, with_signature($ok, $one), 'one hex letter upper case');
$flip = signature_of($ok);
$flip[5] = $flip[5] === '0' ? '1' : '0';
url_vector(SECRET, with_signature($ok, $flip), 'one hex digit changed');
url_vector(SECRET, with_signature($ok, substr(signature_of($ok), 0, 63)), 'signature one digit short');
url_vector(SECRET, with_signature($ok, ''), 'empty signature');
url_vector(SECRET, str_replace('&signature=', '&signature[]=', $ok), 'signature as an array');

// Space, plus, tilde: the wire form may differ from the signed RFC 1738 form.
$name = 'customerName=M%C3%BCller%20%26%20Co%20~%20x%2By';
$url = signed("$host&$name");
url_vector(SECRET, $url, 'value with %20, signed as PHP does');
url_vector(SECRET, resent($url, $name, 'customerName=M%C3%BCller+%26+Co+%7E+x%2By'), 'same value re-sent with + and %7E');
url_vector(SECRET, resent($url, '%2By', '+y'), 'encoded plus re-sent as a space');
$raw = BASE . "?$host&$name";
parse_str("$host&$name", $p);
ksort($p);
$rfc3986 = hash_hmac('sha256', BASE . '?' . http_build_query($p, '', '&', PHP_QUERY_RFC3986), SECRET);
url_vector(SECRET, "$raw&signature=$rfc3986", 'signed over the RFC 3986 form (JSON scheme encoding)');
url_vector(SECRET, "$raw&signature=" . hash_hmac('sha256', $raw, SECRET), 'signed over the raw wire string');

// Repeated keys: PHP keeps the last one.
$url = signed("$host&estateid=2");
url_vector(SECRET, str_replace('estateid=2', 'estateid=1&estateid=2', $url), 'repeated key, signed value last');
url_vector(SECRET, str_replace('&signature=', '&estateid=1&signature=', $url), 'repeated key, other value last');
url_vector(SECRET, signed("$host&estateid=1&estateid=2"), 'repeated key in the signed query');
$url = signed("$host&imageIds[0]=2");
url_vector(SECRET, str_replace('imageIds[0]=2', 'imageIds[0]=1&imageIds[0]=2', $url), 'repeated nested key, signed value last');
url_vector(SECRET, signed("$host&imageIds[]=1&imageIds[]=2"), 'appended list entries []');
url_vector(SECRET, signed("$host&imageIds[5]=a&imageIds[]=b"), 'append after an explicit index');
$url = signed("$host&x=1");
url_vector(SECRET, str_replace('&signature=', '&signature=' . str_repeat('0', 64) . '&signature=', $url), 'repeated signature, good one last');
url_vector(SECRET, str_replace('&signature=', '&%73ignature=', $url) . '&signature=' . str_repeat('0', 64), 'repeated signature, bad one last');

// Empty values and odd names.
url_vector(SECRET, signed("$host&emptyParam=&flag&list[]="), 'empty values, a name without =');
url_vector(SECRET, signed("$host&&&x=1&"), 'empty pieces');
$url = signed("$host&x=1");
url_vector(SECRET, str_replace('&signature=', '&%73ignature=', $url), 'percent-encoded key %73ignature');
url_vector(SECRET, str_replace('timestamp=', '%74imestamp=', $url), 'percent-encoded key %74imestamp');
url_vector(SECRET, str_replace('&signature=', '&Signature=', $url), 'key Signature (another name)');
url_vector(SECRET, signed("$host&customer.name=a&last name=b&c%20d=e"), 'dot and space in names');
url_vector(SECRET, signed("$host&a%00b=1"), 'NUL in a key');
url_vector(SECRET, signed("$host&g[h=1&i[x]y=2"), 'unclosed bracket and text after ]');
url_vector(SECRET, signed("$host&%E2%82%AC=euro&k=%FF%FE"), 'non-ASCII key, non-UTF-8 value');
url_vector('Ünïcødé €', signed("$host&x=1", 'Ünïcødé €'), 'non-ASCII secret');
url_vector('other', signed("$host&x=1"), 'other secret');

// Random queries: signed by PHP, then re-sent with one change. PHP judges both.
mt_srand(20251124);

function pick(array $a)
{
    return $a[mt_rand(0, count($a) - 1)];
}

function random_wire(): array
{
    $names = ['customerWebId', 'userId', 'estateid', 'language', 'UserLanguage', 'apiClaim', 'groupId', 'B', '_x', '10', '9', '05', 'imageIds', 'a', 'Z'];
    $keys = ['0', '1', '2', '3', '10', 'x', 'Y', '_', '05', '-1', 'b'];
    $values = ['', 'a b', 'ä€', "~*'()", '+', '%', '&=', 'x.y', '42', "M\u{fc}ller & Co", '1.5', '-'];
    $pieces = [];
    $seen = [];
    $n = mt_rand(1, 8);
    for ($i = 0; $i < $n; $i++) {
        $name = pick($names);
        $depth = mt_rand(0, 2) === 0 ? 0 : mt_rand(1, 3);
        if (isset($seen[$name]) && $seen[$name] !== $depth) {
            continue; // a name is either a value or an array, at one depth
        }
        $seen[$name] = $depth;
        $prefix = $name;
        for ($d = 1; $d < $depth; $d++) {
            $prefix .= '[' . pick($keys) . ']';
        }
        // Siblings under one parent: the order PHP must keep.
        for ($leaf = $depth === 0 ? 1 : mt_rand(1, 3); $leaf > 0; $leaf--) {
            $path = $depth === 0 ? $name : $prefix . '[' . pick($keys) . ']';
            if (in_array($path, array_column($pieces, 0), true)) {
                continue;
            }
            $pieces[] = [$path, pick($values)];
        }
    }
    return $pieces;
}

function encode_wire(array $pieces): string
{
    $out = [];
    foreach ($pieces as [$k, $v]) {
        $k = mt_rand(0, 1) ? str_replace(['[', ']'], ['%5B', '%5D'], $k) : $k;
        $v = mt_rand(0, 1) ? urlencode($v) : rawurlencode($v);
        $out[] = "$k=$v";
    }
    return implode('&', $out);
}

for ($i = 0; $i < 60; $i++) {
    $pieces = random_wire();
    $pieces[] = ['timestamp', (string) (TS + $i)];
    shuffle($pieces);
    $wire = encode_wire($pieces);
    $url = signed($wire);
    url_vector(SECRET, $url, "random #$i, signed as PHP does");
    $change = $i % 4;
    if ($change === 0 && count($pieces) > 1) {
        [$j, $k, $what] = siblings($pieces) ?? [0, 1, 'two entries'];
        [$pieces[$j], $pieces[$k]] = [$pieces[$k], $pieces[$j]];
        url_vector(SECRET, signed_as(encode_wire($pieces), $url), "random #$i, $what swapped");
    } elseif ($change === 1) {
        url_vector(SECRET, signed_as(encode_wire($pieces), $url), "random #$i, re-encoded");
    } elseif ($change === 2) {
        url_vector(SECRET, with_signature($url, strtoupper(signature_of($url))), "random #$i, upper-case signature");
    } else {
        url_vector(SECRET, signed_as(encode_wire(array_reverse($pieces)), $url), "random #$i, reversed");
    }
}

/** Two entries of one nested array, if there are any. */
function siblings(array $pieces): ?array
{
    $parent = fn (string $path) => strpos($path, '[') === false ? null : substr($path, 0, strrpos($path, '['));
    foreach ($pieces as $j => [$a]) {
        foreach ($pieces as $k => [$b]) {
            if ($j < $k && $parent($a) !== null && $parent($a) === $parent($b)) {
                return [$j, $k, 'two siblings'];
            }
        }
    }
    return null;
}

/** `$wire` carrying the signature of `$url`. */
function signed_as(string $wire, string $url): string
{
    return BASE . '?' . $wire . '&signature=' . signature_of($url);
}

// ---- The JSON scheme: ksort at every level, RFC 3986.

function message_signature(string $secret, array $msg): string
{
    unset($msg['signature']);
    ksort_deep($msg);
    return hash_hmac('sha256', http_build_query($msg, '', '&', PHP_QUERY_RFC3986), $secret);
}

function php_message_check(string $secret, array $msg): bool
{
    $given = $msg['signature'] ?? null;
    return is_string($given) && hash_equals(message_signature($secret, $msg), $given);
}

$message_vectors = [];

function message_vector(string $secret, string $json, string $note, ?callable $change = null): void
{
    global $message_vectors;
    $msg = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    $msg['signature'] = message_signature($secret, $msg);
    if ($change) {
        $msg = $change($msg);
    }
    $message_vectors[] = [
        'secret' => $secret,
        'message' => $msg,
        'valid' => php_message_check($secret, $msg),
        'note' => $note,
    ];
}

$order = '{"totalprice":"99.00","timestamp":1763984293,"products":[{"quantity":1,"price":"49.50","name":"Foto ~ Drohne 50%","circleofusers":"user"},{"quantity":2,"circleofusers":null,"price":"24.75","name":"Text & Bild"}],"parametercacheid":"e99f40067f2c","callbackurl":"https://shop.example.com/cb?o=1"}';
message_vector(SECRET, $order, 'order with unsorted nested products');
message_vector(SECRET, $order, 'order, products reordered after signing', function ($m) {
    $m['products'] = array_reverse($m['products']);
    return $m;
});
message_vector(SECRET, '{"z":{"y":{"b":"2","a":"1"},"x":"0"},"a":"top","timestamp":17}', 'nested objects unsorted at every level');
message_vector(SECRET, '{"n":{"10":"b","2":"a","x":"c","05":"d","-1":"e"},"timestamp":17}', 'mixed numeric and string keys, nested');
message_vector(SECRET, '{"n":{"1":"b","0":"a"},"timestamp":17}', 'numeric keys in descending order');
message_vector(SECRET, '{"abo":{"noticeperiod":"bis 3 Monate","monthlycosts":"82.88","durationinmonth":"6","circleofusers":null,"automaticrenewal":true,"monthlyservicedescription":"Abo ~ Modell+"},"callbackurl":"https://shop.example.com/cb","parametercacheid":"96b8ab733fbe","timestamp":1763940770}', 'subscription, unsorted, null and true');
message_vector(SECRET, '{"onOfficeType":"onOffice.service.refreshParent","parametercacheid":"abc","timestamp":17,"flag":false,"empty":[],"space":"a b"}', 'false, empty array, space');
message_vector(SECRET, '{"b":{"d":"1","c":"2"},"a":"x","timestamp":17}', 'upper-case signature', function ($m) {
    $m['signature'] = strtoupper($m['signature']);
    return $m;
});
message_vector(SECRET, '{"b":{"d":"1","c":"2"},"a":"x","timestamp":17}', 'signed with a top-level ksort only', function ($m) {
    unset($m['signature']);
    ksort($m);
    $m['signature'] = hash_hmac('sha256', http_build_query($m, '', '&', PHP_QUERY_RFC3986), SECRET);
    return $m;
});
message_vector(SECRET, '{"b":{"d":"a b","c":"2"},"a":"x","timestamp":17}', 'signed with RFC 1738 encoding', function ($m) {
    unset($m['signature']);
    ksort_deep($m);
    $m['signature'] = hash_hmac('sha256', http_build_query($m), SECRET);
    return $m;
});
message_vector(SECRET, '{"":{"k":"v","j":"w"},"a":"x","timestamp":17}', 'an empty key holding an object: its children are written as %5Bk%5D');
message_vector('Ünïcødé €', '{"b":{"d":"ä€","c":"~*"},"a":"x","timestamp":17}', 'non-ASCII secret and values');

// ---- The port. onOffice's demo shop (`CheckSignature`) checks over parse_url's
// scheme://host + path, without the port; how enterprise signs on a non-default port is not
// published. Each URL is judged by both checks; the verifier for its base must accept it
// when either does.

/** The demo shop's check: scheme://host + path from parse_url (no port, no fragment). */
function php_demo_shop_check(string $secret, string $url): bool
{
    $u = parse_url($url);
    $base = $u['scheme'] . '://' . $u['host'] . $u['path'];
    parse_str($u['query'] ?? '', $params);
    $given = $params['signature'] ?? null;
    if (!is_string($given)) {
        return false;
    }
    return hash_equals(url_sign($secret, $base, $u['query'] ?? ''), $given);
}

$port_vectors = [];
function port_vector(string $url, string $note): void
{
    global $port_vectors;
    $port_vectors[] = [
        'secret' => SECRET,
        'url' => $url,
        'with_port' => php_url_check(SECRET, $url),
        'demo_shop' => php_demo_shop_check(SECRET, $url),
        'note' => $note,
    ];
}

$portless = 'https://shop.example.com/mp/shop/';
$wire = "$host&estateid=81517&imageIds[0]=853";
port_vector(signed($wire), 'signed with the port, opened on it');
port_vector(BASE . '?' . $wire . '&signature=' . url_sign(SECRET, $portless, $wire), 'signed without the port, opened on it');
port_vector(BASE . '?' . $wire . '&signature=' . url_sign(SECRET, 'https://shop.example.com/mp/', $wire), 'signed without the port for another path');
port_vector(BASE . '?' . $wire . '&signature=' . url_sign(SECRET, 'http://shop.example.com/mp/shop/', $wire), 'signed without the port over http');
port_vector(BASE . '?' . $wire . '&signature=' . url_sign(SECRET, 'https://shop.example.com:9443/mp/shop/', $wire), 'signed with another port');
port_vector(BASE . '?' . $wire . '&signature=' . url_sign('other', $portless, $wire), 'signed without the port, other secret');
port_vector(signed($wire, SECRET, $portless), 'on the default port: no port either way');

echo json_encode(
    [
        'generator' => 'crates/signing/tests/php/make-vectors.php',
        'php' => PHP_VERSION,
        'url' => $url_vectors,
        'message' => $message_vectors,
        'port' => $port_vectors,
    ],
    JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR
), "\n";
