namespace Pkgpanda.Targets;

/// <summary>Files the engine writes (schema, workflows, plan, state): atomically, and untouched when unchanged.</summary>
internal static class GeneratedFile
{
    /// <summary>Returns whether the file changed. Unchanged files keep their timestamps, so tools watching them stay quiet.</summary>
    public static bool WriteIfChanged(string path, string content)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path) == content) return false;
        }
        catch (IOException) { }
        WriteAtomically(path, content);
        return true;
    }

    public static void WriteAtomically(string path, string content)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var tmp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(tmp, content);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
