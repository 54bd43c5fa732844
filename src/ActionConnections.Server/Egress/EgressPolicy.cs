using System.Net;

namespace ActionConnections.Egress;

/// <summary>
/// Decides whether the server may open a connection to an address on a user's behalf. Order:
/// <c>ACTIONCONNECTIONS_EGRESS_DENY</c> first (an operator's explicit refusal always wins), then
/// <c>ACTIONCONNECTIONS_EGRESS_ALLOW</c> (allowed despite the built-in list, plain http too), then
/// the built-in list (<see cref="AddressClassifier"/>), then https-only for everything else.
/// </summary>
internal sealed class EgressPolicy
{
    private readonly EgressRules _allow;
    private readonly EgressRules _deny;

    public EgressPolicy(string? allow, string? deny)
    {
        _allow = EgressRules.Parse(allow, "ACTIONCONNECTIONS_EGRESS_ALLOW");
        _deny = EgressRules.Parse(deny, "ACTIONCONNECTIONS_EGRESS_DENY");
    }

    /// <summary>The problems of a setting's value (start-up validation), or null when it parses.</summary>
    public static string? Validate(string? value, string settingName)
    {
        try
        {
            EgressRules.Parse(value, settingName);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Null when a connection to <paramref name="address"/> (reached through the host name
    /// <paramref name="host"/>, which may be the address itself) is allowed, else why not, in
    /// words that name the address.
    /// </summary>
    public string? Check(string host, IPAddress address, bool secure)
    {
        // ::ffff:a.b.c.d is a.b.c.d on the wire: match the settings' IPv4 entries against it too.
        var effective = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        var named = Describe(host, effective);
        if (_deny.Matches(host, effective) || _deny.Matches(host, address))
        {
            return $"{named} is listed in ACTIONCONNECTIONS_EGRESS_DENY";
        }

        if (_allow.Matches(host, effective) || _allow.Matches(host, address))
        {
            return null;
        }

        if (AddressClassifier.Classify(address) is { } reason)
        {
            return $"{named} is {reason}";
        }

        return secure
            ? null
            : $"{named} is reached over plain http, which only destinations in ACTIONCONNECTIONS_EGRESS_ALLOW may be; use https";
    }

    /// <summary>Whether the host name itself is allow-listed (its requests may then use plain http).</summary>
    public bool IsAllowedHost(string host) => _allow.MatchesHost(host);

    private static string Describe(string host, IPAddress address)
    {
        var text = address.ToString();
        var bareHost = host.Trim('[', ']');
        return IPAddress.TryParse(bareHost, out var literal) && (literal.Equals(address) || literal.ToString() == text)
            ? text
            : $"{host} ({text})";
    }
}

/// <summary>A parsed allow or deny setting: CIDR blocks, single addresses, exact host names.</summary>
internal sealed class EgressRules
{
    private readonly List<IPNetwork> _networks = [];
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Comma-separated CIDRs (<c>10.20.0.0/16</c>), addresses (<c>127.0.0.1</c>, <c>::1</c>) and host names (<c>gitlab.internal</c>).</summary>
    public static EgressRules Parse(string? value, string settingName)
    {
        var rules = new EgressRules();
        foreach (var raw in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var entry = raw.Trim('[', ']');
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                if (!IPNetwork.TryParse(entry, out var network)
                    || !IPAddress.TryParse(entry[..entry.IndexOf('/', StringComparison.Ordinal)], out var start) || !start.Equals(network.BaseAddress))
                {
                    throw new FormatException($"{settingName}: '{raw}' is not a CIDR block (e.g. 10.20.0.0/16) with its host bits zero.");
                }

                rules._networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address) && LooksLikeAddress(entry))
            {
                rules._networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns)
            {
                rules._hosts.Add(Normalize(entry));
            }
            else
            {
                throw new FormatException($"{settingName}: '{raw}' is neither a CIDR block, an IP address nor a host name.");
            }
        }

        return rules;
    }

    public bool Matches(string host, IPAddress address) =>
        MatchesHost(host) || _networks.Any(n => n.BaseAddress.AddressFamily == address.AddressFamily && n.Contains(address));

    public bool MatchesHost(string host) => _hosts.Count > 0 && _hosts.Contains(Normalize(host));

    private static string Normalize(string host) => host.TrimEnd('.').ToLowerInvariant();

    /// <summary>
    /// IPAddress.TryParse also takes inet_aton's spellings ("2130706433", "0x7f.1"); in a setting
    /// only dotted quads and IPv6 count as addresses, the rest would be host names.
    /// </summary>
    private static bool LooksLikeAddress(string entry) =>
        entry.Contains(':', StringComparison.Ordinal) || (entry.Count(c => c == '.') == 3 && entry.All(c => char.IsAsciiDigit(c) || c == '.'));
}
