using System.Text;
using System.Text.Json;
using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Reports;

namespace DynDbg.ElfSim.Cli;

/// <summary>Standard output and error for commands: UTF-8, "\n" line ends, buffered; errors as one line each.</summary>
public sealed class CliOutput(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;

    /// <summary>Whether stderr is a terminal: progress lines go there only, never into redirected output or CI logs.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Whether stdout is a terminal too, so a progress line must be erased before results are printed.</summary>
    public bool OutIsTerminal { get; init; }

    public static CliOutput Console()
    {
        var enc = new UTF8Encoding(false);
        var stdout = new StreamWriter(System.Console.OpenStandardOutput(), enc, 1 << 16) { NewLine = "\n", AutoFlush = false };
        var stderr = new StreamWriter(System.Console.OpenStandardError(), enc) { NewLine = "\n", AutoFlush = true };
        return new CliOutput(stdout, stderr)
        {
            ErrorIsTerminal = !System.Console.IsErrorRedirected,
            OutIsTerminal = !System.Console.IsOutputRedirected,
        };
    }

    /// <summary>Runs over fewer files than this get no progress line.</summary>
    public const int ProgressThreshold = 50;

    /// <summary>A progress line for a run over <paramref name="files"/> files: on a terminal's stderr, and only for
    /// runs long enough to want one (never into a pipe or a log).</summary>
    public ProgressLine ProgressFor(int files) => new(Error, ErrorIsTerminal && files > ProgressThreshold);

    public int Fail(DiagnosticException e)
    {
        Out.Flush();
        Error.WriteLine(e.OneLine);
        return ExitCodes.BadInput;
    }

    public int Usage(string message)
    {
        Out.Flush();
        Error.WriteLine($"{Program.Name}: error {UsageErrorIds.Usage}: {message}");
        return ExitCodes.BadInput;
    }

    /// <summary>One JSON document per <see cref="JsonArrays.Document{T}"/>, or the text blocks separated by a blank line; then flush.</summary>
    public void Print<T>(IReadOnlyList<T> items, ReportFormat format, Action<Utf8JsonWriter, T> json, Action<TextWriter, T> text)
    {
        if (format == ReportFormat.Json)
        {
            Out.Write(JsonArrays.Document(items, json));
        }
        else
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    Out.WriteLine();
                }

                text(Out, items[i]);
            }
        }

        Out.Flush();
    }
}
