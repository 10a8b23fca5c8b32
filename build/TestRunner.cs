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
        foreach (var trx in Directory.Exists(results) ? Directory.GetFiles(results, "*.trx") : [])
        {
            var counters = XDocument.Load(trx).Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
            if (counters is null) continue;
            passed += (int?)counters.Attribute("passed") ?? 0;
            failed += (int?)counters.Attribute("failed") ?? 0;
            total += (int?)counters.Attribute("total") ?? 0;
        }
        Console.WriteLine($"tests: {passed} passed, {failed} failed");
        if (failed > 0 || exitCodes.Any(c => c != 0) || total == 0)
            throw new Pkgpanda.Core.BuildError(total == 0 ? "No test ran." : $"{failed} test(s) failed; {exitCodes.Count(c => c != 0)} test project(s) exited non-zero.");
    }
}
