using System.Net;
using System.Text.RegularExpressions;

namespace ActionConnections.Tests.WebConsole;

/// <summary>A cookie-keeping client that follows no redirect, as a test sees a browser's requests.</summary>
internal sealed partial class ConsoleBrowser
{
    private readonly CookieContainer _cookies;
    private readonly Uri _base;

    public ConsoleBrowser(Uri baseAddress, CookieContainer? cookies = null)
    {
        _base = baseAddress;
        _cookies = cookies ?? new CookieContainer();
    }

    public ConsoleBrowser WithBase(Uri other)
    {
        var copy = new CookieContainer();
        foreach (Cookie cookie in _cookies.GetAllCookies())
        {
            copy.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, other.Host));
        }

        return new ConsoleBrowser(other, copy);
    }

    public ConsoleBrowser Clone() => WithBase(_base);

    public void TamperSession()
    {
        foreach (Cookie cookie in _cookies.GetAllCookies())
        {
            if (cookie.Name == "ac_console_session")
            {
                cookie.Value = cookie.Value[..^4] + (cookie.Value.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
            }
        }
    }

    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var client = Client();
        return await client.GetAsync(path);
    }

    public Task<HttpResponseMessage> SignInAsync(string apiKey, string appKey) =>
        PostFormAsync("/console/sign-in", "/console/sign-in", new Dictionary<string, string> { ["api_key"] = apiKey, ["app_key"] = appKey });

    /// <summary>Loads <paramref name="formPage"/> for its anti-forgery token, then posts the form to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string formPage, string action, Dictionary<string, string> fields)
    {
        using var client = Client();
        var html = await client.GetStringAsync(formPage);
        fields["__antiforgery"] = AntiforgeryField().Match(html).Groups[1].Value;
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    private HttpClient Client() =>
        new(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false }) { BaseAddress = _base };

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
