using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// A certificate authority made for this test run, so fakes of cloud providers can serve TLS
/// (MSAL refuses a plain-http authority, and a real deployment only talks TLS to them). A server
/// process under test trusts it through <c>SSL_CERT_FILE</c> in its environment, which .NET on
/// Linux reads when it first loads the root store: no trust seam exists in the server's code.
/// </summary>
internal static class TestCertificateAuthority
{
    private static readonly Lazy<(X509Certificate2 Ca, string PemFile)> Authority = new(Create);

    /// <summary>A PEM file holding only this CA: the whole trust store of a server under test.</summary>
    public static string CaFile => Authority.Value.PemFile;

    /// <summary>A certificate for <c>localhost</c> and <c>127.0.0.1</c>, signed by the CA, with its private key.</summary>
    public static X509Certificate2 IssueServerCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Authority.Value.Ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Kestrel on Linux wants a certificate whose key it can use for TLS: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static (X509Certificate2, string) Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=ActionConnections test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        var directory = Path.Combine(Path.GetTempPath(), "ac-tests");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"test-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(file, ca.ExportCertificatePem() + "\n");
        return (ca, file);
    }
}
