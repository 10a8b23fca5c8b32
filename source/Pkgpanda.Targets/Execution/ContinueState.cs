using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pkgpanda.Targets;

/// <summary>
/// What <c>--continue</c> reads: the targets that succeeded in the last attempt of the same invocation (the same
/// arguments, <c>--continue</c> aside). Saved after every success, so a killed or failed run can be resumed.
/// </summary>
internal sealed class ContinueState(string path, string invocation)
{
    public string Path { get; } = path;

    public static string InvocationOf(IEnumerable<string> args) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join("\0", args.Where(a => !(a.StartsWith('-') && Arguments.Normalize(a) == "continue"))))));

    public HashSet<string> LoadSucceeded()
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path));
            if (doc.RootElement.GetProperty("invocation").GetString() != invocation) return [];
            return doc.RootElement.GetProperty("succeeded").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException) { return []; }
    }

    public void Save(IEnumerable<string> succeeded) =>
        GeneratedFile.WriteAtomically(Path, JsonSerializer.Serialize(new { invocation, succeeded = succeeded.Distinct().ToList() }));

    public void Clear()
    {
        try { File.Delete(Path); } catch (IOException) { }
    }
}
