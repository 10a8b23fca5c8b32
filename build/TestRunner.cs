using System.Diagnostics;
using System.Xml.Linq;
using Pkgpanda.Targets;

/// <summary>
/// Runs every test project and prints the closing line CI reads: <c>tests: N passed, N failed</c>.
/// Counts come from the TRX result files, not from parsing console text.
/// </summary>
static class TestRunner
{
    public static async Task RunAsync(string root, Log log, CancellationToken cancellationToken)
    {
        var results = Path.Combine(root, ".nuke", "temp", "test-results");
        if (Directory.Exists(results)) Directory.Delete(results, recursive: true);
        var projects = Directory.GetDirectories(Path.Combine(root, "tests")).Order(StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d, "*.csproj").FirstOrDefault()).OfType<string>().ToList();
        var exitCodes = new List<int>();
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            log.Information($"Testing {name}");
            var psi = new ProcessStartInfo("dotnet", ["test", project, "--nologo", "--logger", $"trx;LogFileName={name}.trx",
                "--logger", "console;verbosity=normal", "--results-directory", results]) { UseShellExecute = false };
            // The tests start build scripts and the engine themselves; they must not inherit this run's root (ProjectRoot).
            psi.Environment.Remove("NUKE_ROOT_DIRECTORY");
            using var process = Process.Start(psi)!;
            try { await process.WaitForExitAsync(cancellationToken); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
            exitCodes.Add(process.ExitCode);
        }

        int passed = 0, failed = 0, total = 0;
        var failures = new List<string>();
        foreach (var trx in (Directory.Exists(results) ? Directory.GetFiles(results, "*.trx") : []).Order(StringComparer.Ordinal))
        {
            var document = XDocument.Load(trx);
            failures.AddRange(Failures(document));
            var counters = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
            if (counters is null) continue;
            passed += (int?)counters.Attribute("passed") ?? 0;
            failed += (int?)counters.Attribute("failed") ?? 0;
            total += (int?)counters.Attribute("total") ?? 0;
        }
        // The failures again at the very end, where a CI log's tail shows them next to the count.
        foreach (var failure in failures) Console.WriteLine(failure);
        Console.WriteLine($"tests: {passed} passed, {failed} failed");
        if (failed > 0 || exitCodes.Any(c => c != 0) || total == 0)
            throw new Pkgpanda.Core.BuildError(total == 0 ? "No test ran." : $"{failed} test(s) failed; {exitCodes.Count(c => c != 0)} test project(s) exited non-zero.");
    }

    /// <summary>Each failed test of one TRX file: its name and the first lines of its message and stack.</summary>
    static IEnumerable<string> Failures(XDocument trx)
    {
        foreach (var result in trx.Descendants().Where(e => e.Name.LocalName == "UnitTestResult" && (string?)e.Attribute("outcome") == "Failed"))
        {
            string Text(string name) => result.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";
            var message = Text("Message").Split('\n').Take(12);
            var stack = Text("StackTrace").Split('\n').Take(4);
            yield return $"FAILED {(string?)result.Attribute("testName")} ({(string?)result.Attribute("duration")})\n    "
                + string.Join("\n    ", message.Concat(stack).Select(l => l.TrimEnd()));
        }
    }
}
