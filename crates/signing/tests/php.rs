//! PHP behaviour the host's signatures depend on.

use signing::php::{http_build_query, parse_str, urldecode, Encoding, PhpArray, PhpKey, PhpValue};
use signing::Rejection;

fn s(v: &str) -> PhpValue {
    PhpValue::Str(v.as_bytes().to_vec())
}

fn keys(a: &PhpArray) -> Vec<PhpKey> {
    a.iter().map(|(k, _)| k.clone()).collect()
}

fn get<'a>(a: &'a PhpArray, path: &[&str]) -> Option<&'a PhpValue> {
    let (first, rest) = path.split_first()?;
    let v = a.get(&PhpKey::from(*first))?;
    if rest.is_empty() {
        Some(v)
    } else {
        get(v.as_array()?, rest)
    }
}

#[test]
fn urldecode_like_php() {
    assert_eq!(urldecode(b"a+b%20c%41%7e"), b"a b cA~");
    assert_eq!(urldecode(b"%zz%4%"), b"%zz%4%");
    assert_eq!(urldecode(b"%ff%C3%A4"), b"\xff\xc3\xa4");
}

#[test]
fn names_are_normalised_like_php() {
    let p = parse_str("a.b c=1& x=2&[y]=3&=4&a%00z=5&&q[b=6&r[b][c=7&t[u]v=8&w[x y.z]=9").unwrap();
    assert_eq!(get(&p, &["a_b_c"]), Some(&s("1")));
    assert_eq!(get(&p, &["x"]), Some(&s("2")));
    assert_eq!(get(&p, &["a"]), Some(&s("5")));
    assert_eq!(get(&p, &["q_b"]), Some(&s("6")));
    assert_eq!(get(&p, &["r", "b"]), Some(&s("7")));
    assert_eq!(get(&p, &["t", "u"]), Some(&s("8")));
    assert_eq!(get(&p, &["w", "x y.z"]), Some(&s("9")));
    assert_eq!(p.len(), 7, "{p:?}");
}

#[test]
fn one_whitespace_index_appends_like_php() {
    let p = parse_str("a[ ]=1&a[%09]=2&a[  ]=3&a[ x]=4").unwrap();
    let a = get(&p, &["a"]).unwrap().as_array().unwrap();
    assert_eq!(keys(a), [PhpKey::Int(0), PhpKey::Int(1), PhpKey::Str(b"  ".to_vec()), PhpKey::Str(b" x".to_vec())]);
}

#[test]
fn values_are_bytes() {
    let p = parse_str("a=%FF&b&c=").unwrap();
    assert_eq!(get(&p, &["a"]), Some(&PhpValue::Str(vec![0xff])));
    assert_eq!(get(&p, &["b"]), Some(&s("")));
    assert_eq!(get(&p, &["c"]), Some(&s("")));
}

#[test]
fn integer_keys_and_appends() {
    let p = parse_str("0=a&l[]=x&l[]=y&m[5]=x&m[]=y&n[05]=z&n[-3]=w&n[]=v").unwrap();
    assert_eq!(keys(&p)[0], PhpKey::Int(0));
    assert_eq!(keys(get(&p, &["l"]).unwrap().as_array().unwrap()), [PhpKey::Int(0), PhpKey::Int(1)]);
    assert_eq!(keys(get(&p, &["m"]).unwrap().as_array().unwrap()), [PhpKey::Int(5), PhpKey::Int(6)]);
    assert_eq!(
        keys(get(&p, &["n"]).unwrap().as_array().unwrap()),
        [PhpKey::Str(b"05".to_vec()), PhpKey::Int(-3), PhpKey::Int(-2)]
    );
}

#[test]
fn repeated_parameters_are_refused() {
    for (q, name) in [
        ("a=1&a=2", "a"),
        ("a=1&b=0&a=1", "a"),
        ("a.b=1&a_b=2", "a_b"),
        ("imageIds[0]=1&imageIds[0]=2", "imageIds[0]"),
        ("imageIds%5B0%5D=1&imageIds[0]=2", "imageIds[0]"),
        ("a[]=1&a[0]=2", "a[0]"),
        ("a=1&a[x]=2", "a[x]"),
        ("a[x]=1&a=2", "a"),
        ("a[x]=1&a[x][y]=2", "a[x][y]"),
    ] {
        assert_eq!(parse_str(q), Err(Rejection::RepeatedParameter(name.into())), "{q}");
    }
    assert!(parse_str("imageIds[]=1&imageIds[]=2&a[x]=1&a[y]=2").is_ok());
}

#[test]
fn too_deep_drops_the_variable_like_php() {
    let deep = format!("a=1&b[x]=1&b{}=2", "[k]".repeat(65));
    let p = parse_str(&deep).unwrap();
    assert!(p.get(&PhpKey::from("b")).is_none());
    let ok = format!("b{}=2", "[k]".repeat(64));
    assert!(parse_str(&ok).unwrap().get(&PhpKey::from("b")).is_some());
}

#[test]
fn more_variables_than_php_reads_are_refused() {
    let q: Vec<String> = (0..1001).map(|i| format!("v{i}=1")).collect();
    assert_eq!(parse_str(&q.join("&")), Err(Rejection::QueryTooLarge));
    assert!(parse_str(&q[..1000].join("&")).is_ok());
}

#[test]
fn ksort_puts_2_before_10() {
    let order = [11, 3, 0, 10, 2, 7, 1, 9, 5, 8, 4, 6];
    let q: Vec<String> = order.iter().map(|i| format!("l[{i}]=v{i}")).collect();
    let mut p = parse_str(&q.join("&")).unwrap();
    p.ksort_recursive();
    let l = get(&p, &["l"]).unwrap().as_array().unwrap();
    assert_eq!(keys(l), (0..12).map(PhpKey::Int).collect::<Vec<_>>());
    let built = http_build_query(&p, Encoding::Rfc1738);
    assert!(built.starts_with("l%5B0%5D=v0&l%5B1%5D=v1&l%5B2%5D=v2&l%5B3%5D=v3"), "{built}");
    assert!(built.ends_with("l%5B10%5D=v10&l%5B11%5D=v11"), "{built}");
}

#[test]
fn ksort_orders_strings_bytewise_and_numbers_numerically() {
    let mut p = parse_str("b=1&B=1&a=1&_=1&10=1&9=1&UserLanguage=1&apiClaim=1").unwrap();
    p.ksort();
    let got: Vec<Vec<u8>> = keys(&p).iter().map(PhpKey::to_bytes).collect();
    let want: Vec<&[u8]> = vec![b"9", b"10", b"B", b"UserLanguage", b"_", b"a", b"apiClaim", b"b"];
    assert_eq!(got, want);
}

#[test]
fn round_trip_through_both_encodings() {
    let mut p = parse_str("n=a%20b~c%2B&x[0][y]=%C3%A4&e[]").unwrap();
    p.ksort_recursive();
    assert_eq!(http_build_query(&p, Encoding::Rfc1738), "e%5B0%5D=&n=a+b%7Ec%2B&x%5B0%5D%5By%5D=%C3%A4");
    assert_eq!(http_build_query(&p, Encoding::Rfc3986), "e%5B0%5D=&n=a%20b~c%2B&x%5B0%5D%5By%5D=%C3%A4");
}
