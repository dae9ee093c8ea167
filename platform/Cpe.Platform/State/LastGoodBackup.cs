using System.Globalization;
using System.Text.Json.Nodes;
using Cpe.Config;
using Microsoft.Data.Sqlite;

namespace Cpe.Platform.State;

/// <summary>
/// The second line of defence for the active configuration: a JSON copy of each committed
/// revision written beside the database (write, fsync, rename), and salvage of readable
/// revisions from a database that failed its integrity check.
/// </summary>
public static class LastGoodBackup
{
    public const string FileName = "config.last-good.json";

    public static void Write(string directory, Revision r)
    {
        var obj = new JsonObject
        {
            ["revision"] = r.Id,
            ["created-at"] = r.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["author"] = r.Author,
            ["source"] = r.Source,
            ["document"] = JsonNode.Parse(r.Document),
        };
        string path = Path.Combine(directory, FileName);
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(System.Text.Encoding.UTF8.GetBytes(obj.ToJsonString()));
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static Revision? Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            // Any member missing or of the wrong kind means the copy is not usable.
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject o
                || o["document"] is not JsonObject document
                || o["revision"] is not JsonValue revision || !revision.TryGetValue(out long id)
                || o["created-at"] is not JsonValue created || !created.TryGetValue(out string? createdAt)
                || !DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var createdOn)
                || o["author"] is not JsonValue author || !author.TryGetValue(out string? authorName)
                || o["source"] is not JsonValue source || !source.TryGetValue(out string? sourceName))
                return null;
            string doc = document.ToJsonString();
            return IsValid(doc) ? new Revision(id, createdOn, authorName, sourceName, null, doc, null) : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;   // missing, unreadable, or not JSON
        }
    }

    /// <summary>The newest revision row of a damaged database that still reads and validates.</summary>
    public static Revision? SalvageNewest(string damagedPath)
    {
        try
        {
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder
            { DataSource = damagedPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT id, created_at, author, source, comment, document, confirm_by FROM revisions ORDER BY id DESC";
            using var r = cmd.ExecuteReader();
            while (true)
            {
                Revision candidate;
                try
                {
                    if (!r.Read()) return null;
                    candidate = StateStore.ReadRevision(r);
                }
                catch (Exception e) when (e is SqliteException or FormatException or InvalidCastException) { return null; }
                // A pending confirmation is not a good revision to restore.
                if (candidate.ConfirmBy is null && IsValid(candidate.Document)) return candidate;
            }
        }
        catch (SqliteException) { return null; }
    }

    static bool IsValid(string document)
    {
        try { return ConfigValidator.Validate(ConfigDocument.Parse(document)).Count == 0; }
        catch (ConfigException) { return false; }
    }
}
