namespace Cpe.Phonehome;

/// <summary>
/// A text list of bootstrap server URIs, one per line, '#' starting a comment: the factory list and the
/// <c>bootstrap-servers</c> file on removable media use it. Each URI must be RFC 8572's https://host[:port].
/// </summary>
public static class ServerList
{
    public static IReadOnlyList<Uri> Parse(string text, string origin)
    {
        var list = new List<Uri>();
        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            string line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            if (!Uri.TryCreate(line, UriKind.Absolute, out var uri) || uri.Scheme != "https" || uri.AbsolutePath != "/" || uri.Query.Length > 0)
                throw new InvalidDataException($"{origin} line {number}: '{line}' is not https://host[:port]");
            list.Add(uri);
        }
        return list;
    }
}
