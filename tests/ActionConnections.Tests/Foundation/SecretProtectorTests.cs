using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ActionConnections.Json;
using ActionConnections.Secrets;

namespace ActionConnections.Tests.Foundation;

/// <summary>
/// The one encryption seam, tested directly (crypto, not HTTP): ciphertext is versioned, names
/// its key, and decrypts only in the place it was written for.
/// </summary>
public sealed class SecretProtectorTests
{
    private static readonly Guid OrgA = Guid.Parse("6f1c2a8e-1111-4c1b-bb1d-592825d21db0");
    private static readonly Guid OrgB = Guid.Parse("6f1c2a8e-2222-4c1b-bb1d-592825d21db0");
    private static readonly Guid Connection1 = Guid.Parse("67aa2f61-266d-48d1-a1ee-cf7c3acc6b20");
    private static readonly Guid Connection2 = Guid.Parse("c3c3d83b-c495-4c1b-bb1d-592825d21db0");
    private static readonly SecretContext Place = new(OrgA, Connection1, "api_token");

    [Theory]
    [InlineData("sk-live-0123456789")]
    [InlineData("")]
    [InlineData("päss wörd ✓ \"quoted\" \n newline")]
    public void Protect_ThenUnprotectInSamePlace_RoundTrips(string plaintext)
    {
        var protector = NewProtector(out _);

        var ciphertext = protector.Protect(plaintext, Place);

        Assert.Equal(plaintext, protector.Unprotect(ciphertext, Place));
    }

    [Fact]
    public void Protect_Ciphertext_IsVersionedAndNamesItsKey()
    {
        var protector = NewProtector(out var key);

        var ciphertext = protector.Protect("sk-live-0123456789", Place);

        var expectedKeyId = "k" + Convert.ToHexStringLower(SHA256.HashData(key.Material), 0, 6);
        Assert.Equal(expectedKeyId, protector.ActiveKeyId);
        Assert.StartsWith($"v1.{expectedKeyId}.", ciphertext, StringComparison.Ordinal);
        Assert.Equal(expectedKeyId, protector.KeyIdOf(ciphertext));
        Assert.DoesNotContain("sk-live", ciphertext, StringComparison.Ordinal);
        Assert.Null(protector.KeyIdOf("sk-live-0123456789"));
    }

    [Fact]
    public void Protect_SamePlaintextTwice_GivesDifferentCiphertexts()
    {
        var protector = NewProtector(out _);

        Assert.NotEqual(protector.Protect("same", Place), protector.Protect("same", Place));
    }

    [Theory]
    [InlineData("connection")]
    [InlineData("field")]
    [InlineData("organisation")]
    public void Unprotect_CiphertextMovedToAnotherPlace_Throws(string moved)
    {
        var protector = NewProtector(out _);
        var ciphertext = protector.Protect("sk-live-0123456789", Place);
        var other = moved switch
        {
            "connection" => Place with { ConnectionId = Connection2 },
            "field" => Place with { Field = "tokens/api_token" },
            _ => Place with { OrgId = OrgB },
        };

        var error = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(ciphertext, other));

        Assert.DoesNotContain("sk-live", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(-1)]
    public void Unprotect_TamperedPayloadByte_Throws(int index)
    {
        var protector = NewProtector(out _);
        var ciphertext = protector.Protect("sk-live-0123456789", Place);
        var parts = ciphertext.Split('.');
        var payload = Base64Url.DecodeFromChars(parts[2]);
        payload[index < 0 ? payload.Length + index : index] ^= 0x01;
        var tampered = $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(payload)}";

        Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(tampered, Place));
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("truncate")]
    [InlineData("not-base64")]
    [InlineData("extra-part")]
    [InlineData("unknown-key")]
    [InlineData("plaintext")]
    public void Unprotect_MalformedCiphertext_Throws(string damage)
    {
        var protector = NewProtector(out _);
        var ciphertext = protector.Protect("sk-live-0123456789", Place);
        var parts = ciphertext.Split('.');
        var damaged = damage switch
        {
            "v2" => $"v2.{parts[1]}.{parts[2]}",
            "truncate" => $"{parts[0]}.{parts[1]}.{parts[2][..10]}",
            "not-base64" => $"{parts[0]}.{parts[1]}.!!!{parts[2]}",
            "extra-part" => $"{ciphertext}.x",
            "unknown-key" => $"{parts[0]}.k000000000000.{parts[2]}",
            _ => "sk-live-0123456789",
        };

        Assert.ThrowsAny<SecretDecryptionException>(() => protector.Unprotect(damaged, Place));
    }

    [Fact]
    public void Unprotect_UnderAnotherMasterKey_Throws()
    {
        var ciphertext = NewProtector(out _).Protect("sk-live-0123456789", Place);
        var otherInstallation = NewProtector(out _);

        Assert.Throws<MasterKeyUnavailableException>(() => otherInstallation.Unprotect(ciphertext, Place));
    }

    [Fact]
    public void Unprotect_AfterRotation_OldCiphertextStillDecryptsAndNewOnesUseTheNewKey()
    {
        var old = new MasterKey(RandomNumberGenerator.GetBytes(32));
        var current = new MasterKey(RandomNumberGenerator.GetBytes(32));
        var before = new AesGcmSecretProtector(new MasterKeyRing(old, []));
        var after = new AesGcmSecretProtector(new MasterKeyRing(current, [old]));
        var oldCiphertext = before.Protect("sk-live-0123456789", Place);

        var newCiphertext = after.Protect("sk-live-0123456789", Place);

        Assert.Equal("sk-live-0123456789", after.Unprotect(oldCiphertext, Place));
        Assert.Equal(current.Id, after.KeyIdOf(newCiphertext));
        Assert.Equal(old.Id, after.KeyIdOf(oldCiphertext));
    }

    [Fact]
    public void Unprotect_CiphertextRelabelledWithAnotherConfiguredKey_Throws()
    {
        var old = new MasterKey(RandomNumberGenerator.GetBytes(32));
        var current = new MasterKey(RandomNumberGenerator.GetBytes(32));
        var protector = new AesGcmSecretProtector(new MasterKeyRing(current, [old]));
        var parts = protector.Protect("sk-live-0123456789", Place).Split('.');

        Assert.Throws<SecretDecryptionException>(() => protector.Unprotect($"{parts[0]}.{old.Id}.{parts[2]}", Place));
    }

    [Fact]
    public void SecretString_ToString_IsRedacted()
    {
        var secret = SecretString.FromPlaintext("sk-live-0123456789");

        Assert.Equal("[redacted]", secret.ToString());
        Assert.Equal("[redacted]", $"{secret}");
        Assert.Equal("[redacted]", SecretString.Stored.ToString());
        Assert.Equal("sk-live-0123456789", secret.Reveal());
    }

    [Fact]
    public void SecretString_InARecord_ToStringIsRedacted()
    {
        var holder = new SecretHolder(SecretString.FromPlaintext("sk-live-0123456789"));

        Assert.Equal("SecretHolder { ApiToken = [redacted] }", holder.ToString());
    }

    [Fact]
    public void SecretString_SerializedWithAppJsonSettings_IsEmptyString()
    {
        var holder = new SecretHolder(SecretString.FromPlaintext("sk-live-0123456789"));

        Assert.Equal("""{"api_token":""}""", JsonSerializer.Serialize(holder, SecretJsonOptions));
    }

    [Fact]
    public void SecretString_Deserialized_IsStoredReferenceWithoutPlaintext()
    {
        var holder = JsonSerializer.Deserialize<SecretHolder>("""{"api_token":"sk-live-0123456789"}""", SecretJsonOptions);

        Assert.NotNull(holder);
        Assert.False(holder.ApiToken.HasValue);
        Assert.Throws<InvalidOperationException>(holder.ApiToken.Reveal);
    }

    /// <summary>
    /// AppJson.Options (encoder and all) plus metadata for a test-only holder: the service's
    /// context lists no type with a secret yet, and the generated metadata is what applies the
    /// type's converter, as it will for the credential records.
    /// </summary>
    private static readonly JsonSerializerOptions SecretJsonOptions = new(AppJson.Options)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(AppJson.Context, SecretTestJsonContext.Default),
    };

    private static AesGcmSecretProtector NewProtector(out MasterKey key)
    {
        key = new MasterKey(RandomNumberGenerator.GetBytes(32));
        return new AesGcmSecretProtector(new MasterKeyRing(key, []));
    }
}

internal sealed record SecretHolder([property: JsonPropertyName("api_token")] SecretString ApiToken);

[JsonSerializable(typeof(SecretHolder))]
internal sealed partial class SecretTestJsonContext : JsonSerializerContext;
