using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ActionConnections.Tests.Connections;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Security;

/// <summary>The two error shapes of the service (README "Errors").</summary>
internal enum ErrorShape
{
    /// <summary><c>{"errors":[{…}]}</c> as <c>application/vnd.api+json</c>: Action Connection paths, the audit path, unknown paths.</summary>
    JsonApi,

    /// <summary><c>{"errors":["…"]}</c> as <c>application/json</c>: key management paths.</summary>
    Strings,
}

/// <summary>
/// One generated request and what it may get. <paramref name="Allowed"/> lists the acceptable
/// statuses. <paramref name="KestrelLevel"/> marks requests that break HTTP itself or Kestrel's
/// limits (request line, headers, framing): only those may be answered by Kestrel with an empty
/// body; everything else must reach the app and come back in the error shape of its family.
/// </summary>
internal sealed record HostileRequest(string Kind, string Description, RawRequest Wire, int[] Allowed, ErrorShape Shape, bool KestrelLevel = false)
{
    /// <summary>An input that is odd but valid (expected 2xx): reads only, so the store cannot change.</summary>
    public bool ExpectsSuccess => Allowed.All(s => s is >= 200 and < 300);
}

/// <summary>What the hostile run may aim at: the organisation's keys and resources made beforehand.</summary>
internal sealed record HostileWorld(
    Uri Server,
    string ApiKey,
    string AppKey,
    IReadOnlyList<(string Id, string UpdateIntegration)> Connections,
    Guid RegisteredAppKeyId,
    Guid ApiKeyId,
    Guid MyAppKeyId,
    Guid ServiceAccountId,
    Guid ServiceAccountKeyId,
    long MaxBodyBytes);

/// <summary>
/// Generates malformed and adversarial requests for every operation of the service. Request
/// <c>i</c> of a run depends only on the run's seed and <c>i</c>, so any failure reproduces from
/// the two numbers the test prints. Generators know the class of what they make: mutations turn a
/// valid body into one that is invalid in a known way, so the answer must be a 4xx; the few "odd
/// but valid" inputs (reads only) must be answered with a 200.
/// </summary>
internal sealed class HostileRequests(HostileWorld world)
{
    private const string Connections = "/api/v2/actions/connections";
    private const string Registrations = "/api/v2/actions/app_key_registrations";
    private const string ApiKeys = "/api/v2/api_keys";
    private const string MyAppKeys = "/api/v2/current_user/application_keys";
    private const string OrgAppKeys = "/api/v2/application_keys";
    private const string Audit = "/api/v2/actionconnections/audit_events";
    private const string Hole = "@@HOLE@@";

    private static readonly string[] WrongTypedValues = ["1", "-1.5", "true", "false", "\"text\"", "{}", "{\"a\":1}", "[]", "[1,\"2\"]"];
    private static readonly string[] OutOfRangeNumbers = ["1e400", "-1e400", "-0", "18446744073709551616", "-9223372036854775809", "1e-400", "123456789012345678901234567890.5", "0.0000000000000000000000001"];
    private static readonly string[] SyntaxGarbage = ["}", "]", ",", "x", "{}", "null", " 1", "\"", "\u0000"];
    private static readonly string[] NotJsonTokens = ["NaN", "Infinity", "-Infinity", "undefined", "True", "'single'", "unquoted", "01", "1.", ".5", "+1", "0x10", "\"\\x41\"", "\"\\u12\"", "\"a\tb\""];
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    private static readonly string[] LoneSurrogates = ["\\ud800", "\\udfff", "\\ud83d", "x\\udc00y", "\\ud800\\ud800"];
    private static readonly string[] NotJsonContentTypes =
    [
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json",
        "application/jsonp", "application/octet-stream", "json", "application/json-seq", "application/ json", "*/*", "",
    ];

    /// <summary>
    /// Raw bytes after a path, with what Kestrel does with them: it refuses non-ASCII and NUL in
    /// the request target itself (empty 400) but passes other control characters to routing.
    /// </summary>
    private static readonly (string Bytes, int[] Allowed, bool KestrelLevel)[] TargetBytes =
    [
        ("\u00ff", [400], true), ("\u00c3\u00a9", [400], true), ("a\u0000b", [400], true), ("\u0001", [400, 404], false), ("\u007f", [400, 404], false),
    ];

    /// <summary>Raw bytes in a header value: Kestrel refuses invalid UTF-8 and NUL; UTF-8 text and other control characters are a valid GET.</summary>
    private static readonly (string Bytes, int[] Allowed, bool KestrelLevel)[] HeaderBytes =
    [
        ("\u00ff\u00fe", [400], true), ("a\u0000b", [400], true), ("\u00c3\u00a9\u00ff", [400], true), ("\u0001", [200], false), ("\u00c3\u00a9", [200], false),
    ];

    private static readonly string[] OddIds =
    [
        "..", "%00", "%2F", "a%2Fb", "%2E%2E", "%C3%A9", "%F0%9F%92%A9", "%FF", "%", "%zz", "%25", "-1", "0", "1e400", "null", "undefined",
        "%27%20OR%201%3D1%20--", "%3Cscript%3E", "%20", "~", "$", "*", "%u0041", "%C0%AF",
        "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000", "0000000000000000000000000000000000000",
        "{00000000-0000-0000-0000-000000000000}", "(00000000-0000-0000-0000-000000000000)", "%2000000000-0000-0000-0000-000000000000",
        "00000000-0000-0000-0000-000000000000%20", "00000000000000000000000000000000", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        "00000000-0000-0000-0000-000000000000%00", "%EF%BC%90", "%E2%80%AE",
    ];

    private readonly (string Method, string Path, ErrorShape Shape)[] _pathOperations =
    [
        ("GET", Connections + "/{id}", ErrorShape.JsonApi),
        ("PATCH", Connections + "/{id}", ErrorShape.JsonApi),
        ("DELETE", Connections + "/{id}", ErrorShape.JsonApi),
        ("GET", Registrations + "/{id}", ErrorShape.JsonApi),
        ("PUT", Registrations + "/{id}", ErrorShape.JsonApi),
        ("DELETE", Registrations + "/{id}", ErrorShape.JsonApi),
        ("GET", ApiKeys + "/{id}", ErrorShape.Strings),
        ("PATCH", ApiKeys + "/{id}", ErrorShape.Strings),
        ("DELETE", ApiKeys + "/{id}", ErrorShape.Strings),
        ("GET", MyAppKeys + "/{id}", ErrorShape.Strings),
        ("PATCH", MyAppKeys + "/{id}", ErrorShape.Strings),
        ("DELETE", MyAppKeys + "/{id}", ErrorShape.Strings),
        ("GET", OrgAppKeys + "/{id}", ErrorShape.Strings),
        ("PATCH", OrgAppKeys + "/{id}", ErrorShape.Strings),
        ("DELETE", OrgAppKeys + "/{id}", ErrorShape.Strings),
        ("GET", "/api/v2/service_accounts/{sa}/application_keys/{id}", ErrorShape.Strings),
        ("PATCH", "/api/v2/service_accounts/{sa}/application_keys/{id}", ErrorShape.Strings),
        ("DELETE", "/api/v2/service_accounts/{sa}/application_keys/{id}", ErrorShape.Strings),
        ("GET", "/api/v2/service_accounts/{id}/application_keys", ErrorShape.Strings),
        ("POST", "/api/v2/service_accounts/{id}/application_keys", ErrorShape.Strings),
    ];

    /// <summary>Every route of the service with the methods it maps (all others are 405).</summary>
    private (string Path, string[] Methods, ErrorShape Shape)[] Routes =>
    [
        (Connections, ["GET", "POST"], ErrorShape.JsonApi),
        ($"{Connections}/{world.Connections[0].Id}", ["GET", "PATCH", "DELETE"], ErrorShape.JsonApi),
        (Registrations, ["GET"], ErrorShape.JsonApi),
        ($"{Registrations}/{world.RegisteredAppKeyId}", ["GET", "PUT", "DELETE"], ErrorShape.JsonApi),
        (ApiKeys, ["GET", "POST"], ErrorShape.Strings),
        ($"{ApiKeys}/{world.ApiKeyId}", ["GET", "PATCH", "DELETE"], ErrorShape.Strings),
        (MyAppKeys, ["GET", "POST"], ErrorShape.Strings),
        ($"{MyAppKeys}/{world.MyAppKeyId}", ["GET", "PATCH", "DELETE"], ErrorShape.Strings),
        (OrgAppKeys, ["GET"], ErrorShape.Strings),
        ($"{OrgAppKeys}/{world.MyAppKeyId}", ["GET", "PATCH", "DELETE"], ErrorShape.Strings),
        (SaKeys, ["GET", "POST"], ErrorShape.Strings),
        ($"{SaKeys}/{world.ServiceAccountKeyId}", ["GET", "PATCH", "DELETE"], ErrorShape.Strings),
        (Audit, ["GET"], ErrorShape.JsonApi),
    ];

    private string SaKeys => $"/api/v2/service_accounts/{world.ServiceAccountId}/application_keys";

    private HashSet<string> GetRoutes => [.. Routes.Where(r => r.Methods.Contains("GET")).Select(r => r.Path)];

    /// <summary>How many requests the deterministic sweep makes before the random ones: one per field position of every body.</summary>
    public int SweepCount => Sweep.Count;

    /// <summary>
    /// Every body operation with a valid body: a create per credential type, an update per
    /// seeded connection, and the key management creates and updates.
    /// </summary>
    private List<(string Name, string Method, string Path, ErrorShape Shape, string Body)> BodyOperations => field ??=
    [
        .. CredentialSamples.List.Select(sample => ("connections.create", "POST", Connections, ErrorShape.JsonApi,
            """{"data":{"type":"action_connection","attributes":{"name":"hostile","tags":["team:sec","env:test"],"integration":""" + sample.FullIntegration + "}}}")),
        .. world.Connections.Select(c => ("connections.update", "PATCH", $"{Connections}/{c.Id}", ErrorShape.JsonApi,
            """{"data":{"type":"action_connection","attributes":{"name":"renamed","tags":["team:red"],"integration":""" + c.UpdateIntegration + "}}}")),
        ("api_keys.create", "POST", ApiKeys, ErrorShape.Strings,
            """{"data":{"type":"api_keys","attributes":{"name":"hostile","category":"ci","remote_config_read_enabled":false}}}"""),
        ("api_keys.update", "PATCH", $"{ApiKeys}/{world.ApiKeyId}", ErrorShape.Strings,
            """{"data":{"type":"api_keys","id":"@@HOLE@@","attributes":{"name":"renamed","category":"ci","remote_config_read_enabled":true}}}""".Replace(Hole, world.ApiKeyId.ToString(), StringComparison.Ordinal)),
        ("current_user.app_keys.create", "POST", MyAppKeys, ErrorShape.Strings, AppKeyCreate),
        ("service_account.app_keys.create", "POST", SaKeys, ErrorShape.Strings, AppKeyCreate),
        ("current_user.app_keys.update", "PATCH", $"{MyAppKeys}/{world.MyAppKeyId}", ErrorShape.Strings, AppKeyUpdate(world.MyAppKeyId)),
        ("org.app_keys.update", "PATCH", $"{OrgAppKeys}/{world.MyAppKeyId}", ErrorShape.Strings, AppKeyUpdate(world.MyAppKeyId)),
        ("org.app_keys.update", "PATCH", $"{OrgAppKeys}/{world.ServiceAccountKeyId}", ErrorShape.Strings, AppKeyUpdate(world.ServiceAccountKeyId)),
        ("service_account.app_keys.update", "PATCH", $"{SaKeys}/{world.ServiceAccountKeyId}", ErrorShape.Strings, AppKeyUpdate(world.ServiceAccountKeyId)),
    ];

    /// <summary>Every (body operation, field position) pair, for the wrong-type sweep.</summary>
    private List<(int Operation, object[] Path, System.Text.Json.JsonValueKind Kind)> Sweep => field ??=
        [.. BodyOperations.SelectMany((op, i) => new BodyTemplate(op.Body).Positions.Select(p => (i, p.Path, p.Kind)))];

    /// <summary>
    /// Request <paramref name="index"/> of the run with <paramref name="seed"/>. The first
    /// <see cref="SweepCount"/> put a value of a wrong JSON type in each field position of each
    /// body in turn, so every position is hit; the rest are drawn at random.
    /// </summary>
    public HostileRequest Generate(int seed, int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        if (index < Sweep.Count)
        {
            return WrongTypeAt(random, Sweep[index]);
        }

        var roll = random.Next(100);
        return roll switch
        {
            < 50 => BodyMutation(random),
            < 62 => OddId(random),
            < 66 => UnknownId(random),
            < 78 => OddQuery(random),
            < 85 => OddMethod(random),
            < 90 => BadAuthentication(random),
            < 96 => KestrelLevel(random),
            _ => OddButValidRead(random),
        };
    }

    // ---- bodies ------------------------------------------------------------------------------

    private (string Name, string Method, string Path, ErrorShape Shape, string Body) ValidBodyOperation(Random random) =>
        BodyOperations[random.Next(BodyOperations.Count)];

    private HostileRequest WrongTypeAt(Random random, (int Operation, object[] Path, System.Text.Json.JsonValueKind Kind) at)
    {
        var (name, method, path, shape, valid) = BodyOperations[at.Operation];
        var value = Pick(random, [.. WrongTypedValues.Where(v => KindOf(v) != at.Kind), .. OutOfRangeNumbers]);
        var body = new BodyTemplate(valid).Replace(at.Path, Utf8(value));
        var wire = RawHttp.Build(world.Server, method, path, [.. Auth(), ("Content-Type", "application/json")], body);
        return new HostileRequest("body: wrong JSON type (sweep)", $"{name} {method} {path}: {value} at /{string.Join('/', at.Path)}, body {Preview(body)}", wire, [400], shape);
    }

    private const string AppKeyCreate = """{"data":{"type":"application_keys","attributes":{"name":"hostile","scopes":["connections_read","connection_write"]}}}""";

    private static string AppKeyUpdate(Guid id) =>
        """{"data":{"type":"application_keys","id":"@@HOLE@@","attributes":{"name":"renamed","scopes":["connections_read"]}}}""".Replace(Hole, id.ToString(), StringComparison.Ordinal);

    private HostileRequest BodyMutation(Random random)
    {
        var (name, method, path, shape, valid) = ValidBodyOperation(random);
        var template = new BodyTemplate(valid);
        var kind = random.Next(15);
        (string What, byte[] Body, int[] Allowed, string ContentType, bool Chunked, bool Expect) made = kind switch
        {
            0 => Bad("invalid JSON syntax", InvalidSyntax(random, template)),
            1 => Bad("invalid UTF-8 bytes in a string", template.Replace(template.RandomPosition(random, onlyStrings: true), Utf8Join("\"a", Pick(random, InvalidUtf8), "b\""))),
            2 => Bad("invalid UTF-8 bytes in a member name", template.AddMember(template.RandomObject(random), Utf8Join("\"", Pick(random, InvalidUtf8), "\""), "1"u8.ToArray())),
            3 => Bad("lone surrogate escape", template.Replace(template.RandomPosition(random, onlyStrings: true), Utf8("\"" + Pick(random, LoneSurrogates) + "\""))),
            4 => Bad("deep nesting", template.Replace(template.RandomPosition(random), Utf8(Nesting(random)))),
            5 => Bad("huge string", template.Replace(template.RandomPosition(random), Utf8("\"" + new string('x', random.Next(65 * 1024, 1000 * 1024)) + "\""))),
            6 => Bad("huge array", template.Replace(template.RandomPosition(random), Utf8(HugeArray(random)))),
            7 => Bad("wrong JSON type", WrongType(random, template)),
            8 => Bad("number out of range", template.Replace(template.RandomPosition(random), Utf8(Pick(random, OutOfRangeNumbers)))),
            9 => Bad("duplicate member", Duplicate(random, template)),
            10 => Pick(random, NotJsonContentTypes) is var type ? ($"wrong content type '{type}'", Utf8(valid), [415], type, false, false) : default,
            11 => Oversized(random, valid),
            12 => Bad("invalid value", Utf8(Semantic(random, name, valid))),
            13 => Bad("empty or blank body", Utf8(Pick(random, new[] { "", " ", "\r\n", "\t\t" }))),
            _ => Bad("JSON that is not an object", Utf8(Pick(random, new[] { "[]", "null", "1", "\"data\"", "true", "[{\"data\":{}}]" }))),
        };

        var headers = Auth().ToList();
        if (made.ContentType.Length > 0 || kind != 10)
        {
            headers.Add(("Content-Type", made.ContentType));
        }

        var wire = RawHttp.Build(world.Server, method, path, headers, made.Body, made.Chunked, made.Expect);
        return new HostileRequest($"body: {made.What.Split(" '")[0]}", $"{name} {method} {path}: {made.What}, body {Preview(made.Body)}", wire, made.Allowed, shape);

        static (string, byte[], int[], string, bool, bool) Bad(string what, byte[] body) => (what, body, [400], "application/json", false, false);
    }

    private (string, byte[], int[], string, bool, bool) Oversized(Random random, string valid)
    {
        // Padding in an unknown member keeps the body otherwise valid: only its size is wrong.
        var size = world.MaxBodyBytes + random.Next(1, 300 * 1024);
        var pad = new string('p', (int)size - valid.Length - 9);
        var body = Utf8("{\"pad\":\"" + pad + "\"," + valid[1..]);
        return random.Next(3) switch
        {
            0 => ("oversized body, declared length, 100-continue", body, [413], "application/json", false, true),
            1 => ("oversized body, declared length", body, [413], "application/json", false, false),
            _ => ("oversized body, chunked", body, [413], "application/json", true, false),
        };
    }

    private static byte[] InvalidSyntax(Random random, BodyTemplate template)
    {
        var text = template.Json;
        return random.Next(9) switch
        {
            0 => Utf8(text[..random.Next(text.Length)]),
            1 => Utf8(text + Pick(random, SyntaxGarbage)),
            2 => Utf8(ReplaceFirst(text, ":", Pick(random, new[] { "=", ";", "::", " " }))),
            3 => Utf8(text.Replace('"', '\'')),
            4 => Utf8(text[..^1] + ",}"),
            5 => Utf8(Pick(random, new[] { "/* comment */", "// comment\n", "#" }) + text),
            6 => template.Replace(template.RandomPosition(random, onlyStrings: true), Utf8(Pick(random, NotJsonTokens))),
            7 => template.Replace(template.RandomPosition(random, onlyStrings: true), Utf8Join("\"a", [(byte)random.Next(0, 0x20)], "b\"")),
            _ => Utf8(text.Replace(",", ",,", StringComparison.Ordinal)),
        };
    }

    private static byte[] WrongType(Random random, BodyTemplate template)
    {
        var (path, kind) = template.Positions[random.Next(template.Positions.Count)];
        var candidates = WrongTypedValues.Where(v => KindOf(v) != kind).ToArray();
        return template.Replace(path, Utf8(Pick(random, candidates)));
    }

    /// <summary>The kind of a literal of <see cref="WrongTypedValues"/> (<c>True</c> stands for both booleans, as in <see cref="BodyTemplate.Positions"/>).</summary>
    private static System.Text.Json.JsonValueKind KindOf(string json) => json[0] switch
    {
        '{' => System.Text.Json.JsonValueKind.Object,
        '[' => System.Text.Json.JsonValueKind.Array,
        '"' => System.Text.Json.JsonValueKind.String,
        't' or 'f' => System.Text.Json.JsonValueKind.True,
        _ => System.Text.Json.JsonValueKind.Number,
    };

    private static byte[] Duplicate(Random random, BodyTemplate template)
    {
        var objectPath = template.RandomObject(random, nonEmpty: true);
        var member = template.MemberNames(objectPath) is var names ? names[random.Next(names.Count)] : throw new InvalidOperationException();

        // Also as an escaped spelling of the same name, which is the same member once decoded.
        var spelled = random.Next(2) == 0 ? member : $"\\u{(int)member[0]:x4}{member[1..]}";
        var value = random.Next(2) == 0 ? template.ValueText(objectPath, member) : "\"other\"";
        return template.AddMember(objectPath, Utf8($"\"{spelled}\""), Utf8(value));
    }

    private static string Nesting(Random random)
    {
        var depth = random.Next(65, 20_000);
        return random.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : Repeat("{\"a\":", depth, "") + "1" + new string('}', depth);
    }

    private static string HugeArray(Random random)
    {
        // Items past every list limit, in a body under the size limit.
        var item = Pick(random, new[] { "\"a:b\"", "1", "{}", "\"connections_read\"" });
        var count = random.Next(201, Math.Min(150_000, 1_000_000 / (item.Length + 1)));
        return "[" + Repeat(item, count, ",") + "]";
    }

    /// <summary>
    /// <paramref name="item"/> <paramref name="count"/> times. Written straight into the string:
    /// string.Join and string.Concat build through pooled buffers, and the pool would keep
    /// megabytes of them in this process, blurring the memory check on the server.
    /// </summary>
    private static string Repeat(string item, int count, string separator) =>
        string.Create((item.Length * count) + (separator.Length * Math.Max(0, count - 1)), (item, count, separator), static (span, state) =>
        {
            for (var i = 0; i < state.count; i++)
            {
                if (i > 0)
                {
                    state.separator.CopyTo(span);
                    span = span[state.separator.Length..];
                }

                state.item.CopyTo(span);
                span = span[state.item.Length..];
            }
        });

    /// <summary>Well-formed JSON with a value the operation must refuse.</summary>
    private static string Semantic(Random random, string operation, string valid)
    {
        var node = JsonNode.Parse(valid)!;
        var data = node["data"]!.AsObject();
        var attributes = data["attributes"]!.AsObject();
        var longText = new string('n', 10_000);
        switch (operation)
        {
            case "connections.create":
            case "connections.update":
                var aws = """{"type":"AWS","credentials":{"type":"AWSAssumeRole","role":"r","account_id":""" + Pick(random, new[] { "\"12345678901\"", "\"1234567890123\"", "\"12345678901a\"", "\"123456789012\\n\"", "\"\\u0661\\u0662\\u0663\\u0664\\u0665\\u0666\\u0667\\u0668\\u0669\\u0660\\u0661\\u0662\"", "\" 123456789012\"", "\"\"", "\"１２３４５６７８９０１２\"" }) + "}}";
                var http = """{"type":"HTTP","base_url":"https://x","credentials":{"type":"HTTPTokenAuth","tokens":[""" + Pick(random, new[] { "{\"name\":\"t\",\"type\":\"PLAIN\",\"value\":\"v\"}", "{\"name\":\"t\",\"type\":\"SECRET\",\"value\":\"v\"},{\"name\":\"t\",\"type\":\"SECRET\",\"value\":\"w\"}", "{\"name\":\"\",\"type\":\"SECRET\",\"value\":\"v\"}", "{\"name\":\"a\\u0001b\",\"type\":\"SECRET\",\"value\":\"v\"}", "{\"name\":\"" + new string('t', 257) + "\",\"type\":\"SECRET\",\"value\":\"v\"}" }) + "]}}";
                switch (random.Next(8))
                {
                    case 0:
                        attributes["name"] = Pick(random, new[] { "", " ", "\t\n", new string('n', 513), longText });
                        break;
                    case 1:
                        attributes["tags"] = new JsonArray(Pick(random, new[] { "nocolon", "default:x", ":x", "x:", new string('t', 300) + ":v", "" }));
                        break;
                    case 2:
                        attributes["integration"] = JsonNode.Parse("""{"type":""" + Pick(random, new[] { "\"Aws\"", "\"AWS \"", "\"AWS\\u0000\"", "\"<script>\"", "\"\"", $"\"{longText}\"" }) + ""","credentials":{"type":"AWSAssumeRole","account_id":"123456789012","role":"r"}}""");
                        break;
                    case 3:
                        attributes["integration"] = JsonNode.Parse(aws);
                        break;
                    case 4:
                        attributes["integration"] = JsonNode.Parse(http);
                        break;
                    case 5:
                        data["type"] = Pick(random, new[] { "action_connections", "connection", "", "ACTION_CONNECTION" });
                        break;
                    case 6:
                        attributes["integration"] = JsonNode.Parse("""{"type":"OpenAI","credentials":{"type":"AnthropicAPIKey","api_token":"x"}}""");
                        break;
                    default:
                        if (operation == "connections.create")
                        {
                            attributes.Remove(Pick(random, new[] { "name", "integration" }));
                        }
                        else
                        {
                            node["data"] = null;
                        }

                        break;
                }

                break;
            case "api_keys.create":
            case "api_keys.update":
                switch (random.Next(5))
                {
                    case 0:
                        attributes["name"] = Pick(random, new[] { "", "   ", new string('n', 257) });
                        break;
                    case 1:
                        attributes["category"] = Pick(random, new[] { "", " ", new string('c', 257) });
                        break;
                    case 2:
                        attributes.Remove("name");
                        break;
                    case 3:
                        data["type"] = Pick(random, new[] { "api_key", "application_keys", "" });
                        break;
                    default:
                        data.Remove("attributes");
                        break;
                }

                if (operation == "api_keys.update" && random.Next(3) == 0)
                {
                    data["id"] = Pick(random, new[] { Guid.NewGuid().ToString(), "not-a-uuid", "" });
                    attributes["name"] = "fine";
                }

                break;
            default:
                switch (random.Next(5))
                {
                    case 0:
                        attributes["scopes"] = new JsonArray();
                        break;
                    case 1:
                        attributes["scopes"] = new JsonArray(Pick(random, new[] { "not_a_permission", "CONNECTIONS_READ", "", new string('s', 101), "connections_read " }));
                        break;
                    case 2:
                        attributes["name"] = Pick(random, new[] { "", " ", new string('n', 257) });
                        break;
                    case 3:
                        data["type"] = Pick(random, new[] { "application_key", "api_keys", "" });
                        break;
                    default:
                        if (data.ContainsKey("id"))
                        {
                            data["id"] = Pick(random, new[] { Guid.NewGuid().ToString(), "not-a-uuid", "" });
                        }
                        else
                        {
                            attributes.Remove("name");
                        }

                        break;
                }

                break;
        }

        return node.ToJsonString();
    }

    // ---- paths, queries, methods -------------------------------------------------------------

    private HostileRequest OddId(Random random)
    {
        var (method, path, shape) = _pathOperations[random.Next(_pathOperations.Length)];
        var id = random.Next(10) switch
        {
            // Long, but within the request line limit: the app must answer it.
            0 => new string('a', random.Next(300, 7000)),
            1 => Pick(random, OtherKindIds(path)),
            2 => "",
            _ => Pick(random, OddIds),
        };
        var target = path.Replace("{sa}", world.ServiceAccountId.ToString(), StringComparison.Ordinal).Replace("{id}", id, StringComparison.Ordinal);
        var normalized = Normalize(target);

        // Where an odd id turns the path into another route ("/connections/" is the list, and
        // "/service_accounts/../application_keys" the organisation's keys), a GET is a valid read.
        int[] allowed = method == "GET" && GetRoutes.Contains(normalized.TrimEnd('/')) ? [200] : [400, 404, 405];

        // Kestrel refuses a path that decodes to a NUL itself, before routing, with an empty 400.
        var nul = id.Contains("%00", StringComparison.Ordinal);
        byte[]? body = method is "PATCH" or "POST" or "PUT" ? Utf8(ValidBodyFor(path).Replace(Hole, id, StringComparison.Ordinal)) : null;
        var headers = Auth().ToList();
        if (body is not null)
        {
            headers.Add(("Content-Type", "application/json"));
        }

        return new HostileRequest("odd id", $"odd id '{(id.Length > 40 ? id[..40] + "…" : id)}' {method} {target}", RawHttp.Build(world.Server, method, target, headers, body), nul ? [400] : allowed, ShapeOf(normalized), KestrelLevel: nul);
    }

    /// <summary>Ids of existing resources of another kind than <paramref name="path"/> serves, so "not found" there; never one the operation could act on.</summary>
    private string[] OtherKindIds(string path)
    {
        var connection = world.Connections[0].Id;
        var api = world.ApiKeyId.ToString();
        var sa = world.ServiceAccountId.ToString();
        var saKey = world.ServiceAccountKeyId.ToString();
        var myKey = world.MyAppKeyId.ToString();
        return path switch
        {
            _ when path.StartsWith(Connections, StringComparison.Ordinal) => [api, sa, saKey, myKey],
            _ when path.StartsWith(Registrations, StringComparison.Ordinal) => [connection, api, sa],
            _ when path.StartsWith(ApiKeys, StringComparison.Ordinal) => [connection, sa, saKey, myKey],
            _ when path.StartsWith(MyAppKeys, StringComparison.Ordinal) => [connection, api, sa, saKey],
            _ when path.StartsWith(OrgAppKeys, StringComparison.Ordinal) => [connection, api, sa],
            _ when path.Contains("{sa}", StringComparison.Ordinal) => [connection, api, sa, myKey],
            _ => [connection, api, saKey, myKey],
        };
    }

    private HostileRequest UnknownId(Random random)
    {
        var (method, path, shape) = _pathOperations[random.Next(_pathOperations.Length)];
        var id = Guid.NewGuid();
        var target = path.Replace("{sa}", world.ServiceAccountId.ToString(), StringComparison.Ordinal).Replace("{id}", id.ToString(), StringComparison.Ordinal);
        var body = method is "PATCH" or "POST" ? ValidBodyFor(path).Replace(Hole, id.ToString(), StringComparison.Ordinal) : null;
        var headers = Auth().ToList();
        if (body is not null)
        {
            headers.Add(("Content-Type", "application/json"));
        }

        // PUT of a registration and POST of a service account's key document no 404: an unknown id is a 400 there.
        int[] allowed = method is "PUT" or "POST" ? [400] : [404];
        return new HostileRequest("unknown id", $"unknown id {method} {target}", RawHttp.Build(world.Server, method, target, headers, body is null ? null : Utf8(body)), allowed, shape);
    }

    /// <summary>A valid body for a path operation (an id in the body is <see cref="Hole"/>).</summary>
    private static string ValidBodyFor(string path) =>
        path.StartsWith(Connections, StringComparison.Ordinal)
            ? """{"data":{"type":"action_connection","attributes":{"name":"renamed"}}}"""
            : path.StartsWith(ApiKeys, StringComparison.Ordinal)
                ? """{"data":{"type":"api_keys","id":"@@HOLE@@","attributes":{"name":"renamed"}}}"""
                : path.EndsWith("application_keys", StringComparison.Ordinal)
                    ? AppKeyCreate
                    : """{"data":{"type":"application_keys","id":"@@HOLE@@","attributes":{"name":"renamed"}}}""";

    private HostileRequest OddQuery(Random random)
    {
        var huge = new string('9', random.Next(30, 5000));
        string[] paging =
        [
            "page[size]=0", "page[size]=-1", "page[size]=1e9", "page[size]=1000000000", "page[size]=1e400", "page[size]=abc", "page[size]=",
            "page[size]=%201", "page[size]=1%20", "page[size]=+1", "page[size]=0x10", "page[size]=%EF%BC%91", $"page[size]={huge}", "page[size]=1.5",
            "page[size]=1&page[size]=2", "page%5Bsize%5D=0", "page[number]=-1", "page[number]=1e10", "page[number]=1000000001",
            $"page[number]={huge}", "page[number]=abc", "page[number]=", "page[number]=0&page[number]=1", "page[size]=%00", "page[size]=-0",
        ];
        var (path, specific, shape) = random.Next(7) switch
        {
            0 => (Connections, new[] { "page[size]=1001", $"filter[name]={new string('n', 513)}", "filter[name]=a&filter[name]=b", "filter[integration]=aws", "filter[integration]=Unknown", "filter[integration]=", "filter[integration]=AWS&filter[integration]=HTTP" }, ErrorShape.JsonApi),
            1 => (Registrations, new[] { "page[size]=1001", "page[number]=99999999999" }, ErrorShape.JsonApi),
            2 => (ApiKeys, new[] { "page[size]=101", "sort=unknown", "sort=", "sort=name&sort=-name", "filter[created_at][start]=yesterday", "filter[created_at][end]=2020-13-45", "filter[modified_at][start]=0", "filter[remote_config_read_enabled]=yes", "filter[category]=a&filter[category]=b", "filter=a&filter=b" }, ErrorShape.Strings),
            3 => (MyAppKeys, new[] { "page[size]=101", "sort=modified_at", "sort=%00", "filter[created_at][start]=" + huge }, ErrorShape.Strings),
            4 => (OrgAppKeys, new[] { "page[size]=101", "sort=-modified_at", "filter[created_at][end]=now" }, ErrorShape.Strings),
            5 => (SaKeys, new[] { "page[size]=101", "sort=last5" }, ErrorShape.Strings),
            _ => (Audit, new[] { "page[size]=1001", "filter[from]=yesterday", "filter[to]=" + huge, "filter[from]=a&filter[from]=b", "filter[action]=connection.read", "filter[action]=", "filter[action]=a&filter[action]=b" }, ErrorShape.JsonApi),
        };
        var query = random.Next(3) == 0 ? Pick(random, specific) : Pick(random, paging);
        var target = $"{path}?{query}";
        return new HostileRequest("odd query", $"odd query GET {target}", RawHttp.Build(world.Server, "GET", target, Auth()), [400], shape);
    }

    private HostileRequest OddMethod(Random random)
    {
        var (path, methods, shape) = Routes[random.Next(Routes.Length)];
        string[] candidates = ["TRACE", "OPTIONS", "HEAD", "PUT", "POST", "PATCH", "DELETE", "GET", "FOO", "M-SEARCH", "PROPFIND"];
        var method = Pick(random, candidates.Where(m => !methods.Contains(m)).ToArray());
        var body = method is "PUT" or "POST" or "PATCH" && random.Next(2) == 0 ? Utf8("{}") : null;
        var headers = Auth().ToList();
        if (body is not null)
        {
            headers.Add(("Content-Type", "application/json"));
        }

        return new HostileRequest("odd method", $"method {method} {path}", RawHttp.Build(world.Server, method, path, headers, body), [405], shape);
    }

    private HostileRequest BadAuthentication(Random random)
    {
        var (name, method, path, shape, valid) = ValidBodyOperation(random);
        if (random.Next(2) == 0)
        {
            var route = Routes[random.Next(Routes.Length)];
            (name, method, path, shape, valid) = ("read", "GET", route.Path, route.Shape, "");
        }

        var good = (Api: world.ApiKey, App: world.AppKey);
        (string? Api, string? App) keys = random.Next(9) switch
        {
            0 => (null, null),
            1 => (good.Api, null),
            2 => (null, good.App),
            3 => (new string('f', 32), good.App),
            4 => (good.Api, new string('f', 40)),
            5 => (good.App, good.Api),
            6 => (good.Api + new string('a', 300), good.App),
            7 => (good.Api.ToUpperInvariant(), good.App.ToUpperInvariant()),
            _ => (good.Api + "," + good.Api, good.App),
        };
        var headers = new List<(string, string)>();
        if (keys.Api is not null)
        {
            headers.Add(("DD-API-KEY", keys.Api));
        }

        if (keys.App is not null)
        {
            headers.Add(("DD-APPLICATION-KEY", keys.App));
        }

        byte[]? body = null;
        if (valid.Length > 0 && method != "GET")
        {
            headers.Add(("Content-Type", "application/json"));
            body = Utf8(valid);
        }

        return new HostileRequest("bad keys", $"bad keys {name} {method} {path}", RawHttp.Build(world.Server, method, path, headers, body), [403], shape);
    }

    /// <summary>Requests that break HTTP/1.1 or Kestrel's limits; Kestrel answers these itself, possibly with no body.</summary>
    private HostileRequest KestrelLevel(Random random)
    {
        var (path, _, shape) = Routes[random.Next(Routes.Length)];
        var auth = Auth().ToList();
        var host = $"Host: {world.Server.Host}:{world.Server.Port}\r\n";
        var keys = string.Concat(auth.Select(h => $"{h.Name}: {h.Value}\r\n"));
        (string What, RawRequest Wire, int[] Allowed, bool KestrelLevel) made = random.Next(12) switch
        {
            0 => ("request line over 8 KiB", RawHttp.Build(world.Server, "GET", $"{path}/{new string('a', random.Next(8 * 1024, 64 * 1024))}", auth), [414], true),
            1 => ("query over 8 KiB", RawHttp.Build(world.Server, "GET", $"{path}?filter[name]={new string('q', random.Next(8 * 1024, 64 * 1024))}", auth), [414], true),
            2 => ("one header over 32 KiB", RawHttp.Build(world.Server, "GET", path, [.. auth, ("X-Pad", new string('h', random.Next(33 * 1024, 128 * 1024)))]), [431], true),
            3 => ("key header over 32 KiB", RawHttp.Build(world.Server, "GET", path, [("DD-API-KEY", new string('k', random.Next(33 * 1024, 64 * 1024))), auth[1]]), [431], true),
            4 => ("more than 100 headers", RawHttp.Build(world.Server, "GET", path, [.. auth, .. Enumerable.Range(0, random.Next(100, 400)).Select(i => ($"X-H{i}", "v"))]), [431], true),
            5 => Pick(random, TargetBytes) is var (bad, allowed, kestrel)
                ? ($"bytes {Escape(bad)} in the request target", RawHttp.Verbatim(RawHttp.Bytes.GetBytes($"GET {path}/{bad} HTTP/1.1\r\n{host}{keys}Connection: close\r\n\r\n")), allowed, kestrel)
                : default,
            6 => Pick(random, HeaderBytes) is var (bad, allowed, kestrel)
                ? ($"bytes {Escape(bad)} in a header value", RawHttp.Verbatim(RawHttp.Bytes.GetBytes($"GET {path} HTTP/1.1\r\n{host}{keys}X-Bad: {bad}\r\nConnection: close\r\n\r\n")), allowed, kestrel)
                : default,
            7 => Malformed("malformed request line", random, [400], "GET\r\n\r\n", "GET {path}\r\n{host}\r\n", "GET  {path} HTTP/1.1\r\n{host}{close}\r\n", "GET {path} HTTP/1.1 extra\r\n{host}{close}\r\n", "G\u00c9T {path} HTTP/1.1\r\n{host}{close}\r\n", " GET {path} HTTP/1.1\r\n{host}{close}\r\n", "GET {relative} HTTP/1.1\r\n{host}{close}\r\n"),
            8 => Malformed("malformed header line", random, [400], "GET {path} HTTP/1.1\r\n{host}{keys}NoColon\r\n{close}\r\n", "GET {path} HTTP/1.1\r\n{host}{keys}X Bad: 1\r\n{close}\r\n", "GET {path} HTTP/1.1\r\n{host}{keys}: empty-name\r\n{close}\r\n", "GET {path} HTTP/1.1\r\n{host}{keys}X-Bad : 1\r\n{close}\r\n", "GET {path} HTTP/1.1\r\n{host}{keys} folded: 1\r\n{close}\r\n"),
            9 => Malformed("missing or repeated Host", random, [400], "GET {path} HTTP/1.1\r\n{keys}{close}\r\n", "GET {path} HTTP/1.1\r\n{host}{host}{keys}{close}\r\n"),
            10 => Malformed("bad framing", random, [400, 413], "POST {path} HTTP/1.1\r\n{host}{keys}Content-Type: application/json\r\nContent-Length: abc\r\n{close}\r\n{}", "POST {path} HTTP/1.1\r\n{host}{keys}Content-Type: application/json\r\nContent-Length: -1\r\n{close}\r\n{}", "POST {path} HTTP/1.1\r\n{host}{keys}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n{close}\r\n{}", "POST {path} HTTP/1.1\r\n{host}{keys}Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n{close}\r\n{}", "POST {path} HTTP/1.1\r\n{host}{keys}Content-Type: application/json\r\nTransfer-Encoding: chunked, gzip\r\n{close}\r\n{}", "POST {path} HTTP/1.1\r\n{host}{keys}Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\n{close}\r\n{}"),
            _ => ("CONNECT to an origin-form target", RawHttp.Build(world.Server, "CONNECT", path, auth), [400, 405], true),
        };

        (string, RawRequest, int[], bool) Malformed(string what, Random random, int[] allowed, params string[] templates)
        {
            var template = Pick(random, templates);
            var wire = template.Replace("{path}", path, StringComparison.Ordinal).Replace("{relative}", path.TrimStart('/'), StringComparison.Ordinal)
                .Replace("{host}", host, StringComparison.Ordinal).Replace("{keys}", keys, StringComparison.Ordinal).Replace("{close}", "Connection: close\r\n", StringComparison.Ordinal);
            return ($"{what} {Escape(template.Replace("{keys}", "", StringComparison.Ordinal).Replace("{close}", "", StringComparison.Ordinal))}", RawHttp.Verbatim(RawHttp.Bytes.GetBytes(wire)), allowed, true);
        }

        // Framing problems the app sees while reading a body (413 on a huge declared length, a bad
        // CONNECT) come back from the app, in the error shape; the rest never reach it.
        return new HostileRequest($"kestrel: {made.What}", $"kestrel: {made.What} on {path}", made.Wire, made.Allowed, shape, made.KestrelLevel);
    }

    private HostileRequest OddButValidRead(Random random)
    {
        var (path, _, shape) = Routes[random.Next(Routes.Length)];
        var last = path.Split('/')[^1];
        var target = Guid.TryParse(last, out _)
            ? Pick(random, new[] { path[..^last.Length] + last.ToUpperInvariant(), path + "?x=1&x=2", path + "?page[size]=0&sort=nonsense" })
            : path + Pick(random, new[] { "?", "?&&&", "?foo=bar&foo=baz", "?page%5Bsize%5D=5", "?page[number]=1000000000", "?unknown[x][y]=1", "/" });
        if (random.Next(10) == 0)
        {
            // HTTP/1.1 lets a server take a bare LF as a line end, and Kestrel does.
            var lines = $"GET {target} HTTP/1.1\nHost: {world.Server.Host}:{world.Server.Port}\nDD-API-KEY: {world.ApiKey}\nDD-APPLICATION-KEY: {world.AppKey}\nConnection: close\n\n";
            return new HostileRequest("odd but valid: bare LF line ends", $"bare LF line ends GET {target}", RawHttp.Verbatim(RawHttp.Bytes.GetBytes(lines)), [200], shape);
        }

        return new HostileRequest("odd but valid", $"odd but valid GET {target}", RawHttp.Build(world.Server, "GET", target, Auth()), [200], shape);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private IEnumerable<(string Name, string Value)> Auth() => [("DD-API-KEY", world.ApiKey), ("DD-APPLICATION-KEY", world.AppKey)];

    /// <summary>The path the server routes: Kestrel removes dot segments (percent-encoded ones too) before routing.</summary>
    private static string Normalize(string target)
    {
        var path = target.Split('?')[0].Replace("%2E", ".", StringComparison.OrdinalIgnoreCase);
        var segments = new List<string>();
        foreach (var segment in path.Split('/').Skip(1))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        return "/" + string.Join('/', segments);
    }

    /// <summary>The error family of a path as the README gives it: key management paths answer strings, all others JSON:API objects.</summary>
    private static ErrorShape ShapeOf(string path)
    {
        string[] strings = [ApiKeys, OrgAppKeys, "/api/v2/current_user", "/api/v2/service_accounts"];
        return strings.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)) ? ErrorShape.Strings : ErrorShape.JsonApi;
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is < ' ' or > '~' ? $"\\x{(int)c:x2}" : c.ToString()));

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Utf8Join(string before, byte[] middle, string after) => [.. Utf8(before), .. middle, .. Utf8(after)];

    private static string ReplaceFirst(string text, string what, string with)
    {
        var at = text.IndexOf(what, StringComparison.Ordinal);
        return text[..at] + with + text[(at + what.Length)..];
    }

    private static string Preview(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));
        return body.Length > 300 ? $"{text}… ({body.Length.ToString(CultureInfo.InvariantCulture)} bytes)" : text;
    }

    /// <summary>A valid JSON body and the places in it (as paths of member names and indices) a mutation can hit.</summary>
    private sealed class BodyTemplate
    {
        public BodyTemplate(string json)
        {
            Json = JsonNode.Parse(json)!.ToJsonString();
            Walk(JsonNode.Parse(json)!, [], Positions);
        }

        public string Json { get; }

        /// <summary>Every value in the body, the root included, with its kind (<c>True</c> stands for both booleans).</summary>
        public List<(object[] Path, System.Text.Json.JsonValueKind Kind)> Positions { get; } = [];

        public object[] RandomPosition(Random random, bool onlyStrings = false)
        {
            var candidates = Positions.Where(p => !onlyStrings || p.Kind == System.Text.Json.JsonValueKind.String).ToList();
            return candidates[random.Next(candidates.Count)].Path;
        }

        public object[] RandomObject(Random random, bool nonEmpty = false)
        {
            var candidates = Positions.Where(p => p.Kind == System.Text.Json.JsonValueKind.Object && (!nonEmpty || MemberNames(p.Path).Count > 0)).ToList();
            return candidates[random.Next(candidates.Count)].Path;
        }

        public IReadOnlyList<string> MemberNames(object[] objectPath) => [.. Navigate(JsonNode.Parse(Json)!, objectPath)!.AsObject().Select(m => m.Key)];

        public string ValueText(object[] objectPath, string member) => Navigate(JsonNode.Parse(Json)!, objectPath)![member]?.ToJsonString() ?? "null";

        /// <summary>The body with the value at <paramref name="path"/> replaced by raw bytes (which need not be JSON).</summary>
        public byte[] Replace(object[] path, byte[] raw)
        {
            if (path.Length == 0)
            {
                return raw;
            }

            var root = JsonNode.Parse(Json)!;
            var parent = Navigate(root, path[..^1])!;
            if (path[^1] is string name)
            {
                parent[name] = Hole;
            }
            else
            {
                parent[(int)path[^1]] = Hole;
            }

            return Splice(root.ToJsonString(), $"\"{Hole}\"", raw);
        }

        /// <summary>The body with one more member (raw name, raw value) at the end of the object at <paramref name="objectPath"/>.</summary>
        public byte[] AddMember(object[] objectPath, byte[] rawName, byte[] rawValue)
        {
            var root = JsonNode.Parse(Json)!;
            Navigate(root, objectPath)!.AsObject()[Hole] = Hole;
            var once = Splice(root.ToJsonString(), $"\"{Hole}\":\"{Hole}\"", [.. rawName, (byte)':', .. rawValue]);
            return once;
        }

        private static byte[] Splice(string text, string marker, byte[] raw)
        {
            var at = text.IndexOf(marker, StringComparison.Ordinal);
            return [.. Encoding.UTF8.GetBytes(text[..at]), .. raw, .. Encoding.UTF8.GetBytes(text[(at + marker.Length)..])];
        }

        private static JsonNode? Navigate(JsonNode node, object[] path)
        {
            JsonNode? current = node;
            foreach (var segment in path)
            {
                current = segment is string name ? current![name] : current![(int)segment];
            }

            return current;
        }

        private static void Walk(JsonNode? node, object[] path, List<(object[], System.Text.Json.JsonValueKind)> positions)
        {
            switch (node)
            {
                case JsonObject obj:
                    positions.Add((path, System.Text.Json.JsonValueKind.Object));
                    foreach (var (name, child) in obj)
                    {
                        Walk(child, [.. path, name], positions);
                    }

                    break;
                case JsonArray array:
                    positions.Add((path, System.Text.Json.JsonValueKind.Array));
                    for (var i = 0; i < array.Count; i++)
                    {
                        Walk(array[i], [.. path, i], positions);
                    }

                    break;
                case JsonValue value:
                    var kind = value.GetValueKind();
                    positions.Add((path, kind == System.Text.Json.JsonValueKind.False ? System.Text.Json.JsonValueKind.True : kind));
                    break;
            }
        }
    }
}
