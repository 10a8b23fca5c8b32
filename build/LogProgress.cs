/// <summary>Reports synchronously, in order (System.Progress posts to the thread pool and reorders lines).</summary>
sealed class LogProgress(Action<string> write) : IProgress<string>
{
    public void Report(string value) => write(value);
}
