using System.Xml.Linq;
using ActionConnections.Secrets;
using ActionConnections.Storage;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace ActionConnections.WebConsole.Sessions;

/// <summary>
/// The Data Protection key ring of the console (session cookies, anti-forgery tokens) lives in
/// the database, so every replica reads the same keys and a session signed by one is accepted
/// by all. Each key is encrypted under the master key before it is stored: whoever can read the
/// database but not the master key cannot forge a session (ADR 0017).
/// </summary>
internal sealed class DatabaseKeyRing(IDatabase db, ISecretProtector protector, TimeProvider time) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions options)
    {
        options.XmlRepository = new Repository(db, time);
        options.XmlEncryptor = new MasterKeyXmlEncryptor(protector);
    }

    /// <summary>
    /// Data Protection's repository interface is synchronous; it is called when the key ring is
    /// first needed and when it is refreshed (about daily, or on a key id it does not know), so
    /// waiting on the asynchronous store there costs nothing on the request path.
    /// </summary>
    private sealed class Repository(IDatabase db, TimeProvider time) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => LoadAsync().GetAwaiter().GetResult();

        public void StoreElement(XElement element, string friendlyName) => StoreAsync(element, friendlyName).GetAwaiter().GetResult();

        private async Task<IReadOnlyCollection<XElement>> LoadAsync()
        {
            await using var connection = await db.OpenAsync(CancellationToken.None);
            await using var command = connection.Command("SELECT xml FROM data_protection_keys ORDER BY created_at, id;");
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            var elements = new List<XElement>();
            while (await reader.ReadAsync(CancellationToken.None))
            {
                elements.Add(XElement.Parse(reader.GetString(0)));
            }

            return elements;
        }

        private async Task StoreAsync(XElement element, string friendlyName)
        {
            await using var connection = await db.OpenAsync(CancellationToken.None);
            await using var tx = await db.BeginWriteAsync(connection, CancellationToken.None);
            await using (var command = connection.Command(
                "INSERT INTO data_protection_keys (id, friendly_name, xml, created_at) VALUES (@id, @name, @xml, @at);", tx)
                .With("@id", Guid.NewGuid()).With("@name", friendlyName)
                .With("@xml", element.ToString(SaveOptions.DisableFormatting)).With("@at", time.GetUtcNow()))
            {
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }

            await tx.CommitAsync(CancellationToken.None);
        }
    }
}

/// <summary>Encrypts a Data Protection key under the active master key, through the one secret seam.</summary>
internal sealed class MasterKeyXmlEncryptor(ISecretProtector protector) : IXmlEncryptor
{
    /// <summary>The associated data of every key-ring ciphertext: it decrypts nowhere else.</summary>
    internal static readonly SecretContext Context = new(Guid.Empty, Guid.Empty, "console-key-ring");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var ciphertext = protector.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting), Context);
        return new EncryptedXmlInfo(new XElement("masterKeyEncrypted", new XElement("value", ciphertext)), typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>
/// Decrypts what <see cref="MasterKeyXmlEncryptor"/> wrote, with any configured master key. Data
/// Protection creates it by type name with the service provider, so it resolves the seam itself.
/// A key under a master key no longer configured fails to decrypt: Data Protection then skips it
/// and makes a new one, and sessions signed with the old key end.
/// </summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var ciphertext = encryptedElement.Element("value")?.Value
            ?? throw new InvalidOperationException("The key-ring element has no value.");
        var protector = services.GetRequiredService<ISecretProtector>();
        return XElement.Parse(protector.Unprotect(ciphertext, MasterKeyXmlEncryptor.Context));
    }
}
