using System.CommandLine;
using System.Text;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// <c>manpage</c>: dyndbg-elfsim(1) in roff, made from the same definitions as the parser and the help (each
/// command with its arguments, its options and their fixed values), plus the exit codes scripts rely on.
/// <c>dyndbg-elfsim manpage | man -l -</c> shows it.
/// </summary>
public static class ManPageCommand
{
    public static Command Create(CliOutput io, RootCommand root)
    {
        var cmd = new Command("manpage", "print the dyndbg-elfsim(1) manual page in roff (view it with: dyndbg-elfsim manpage | man -l -)");
        cmd.SetAction(_ =>
        {
            io.Out.Write(Render(root));
            io.Out.Flush();
            return ExitCodes.Ok;
        });
        return cmd;
    }

    public static string Render(RootCommand root)
    {
        var b = new StringBuilder();
        b.Append($".TH DYNDBG-ELFSIM 1 \"\" \"dyndbg-elfsim {Program.Version}\" \"User Commands\"\n");
        b.Append(".SH NAME\ndyndbg-elfsim \\- ").Append(Escape(root.Description ?? "")).Append('\n');
        b.Append(".SH SYNOPSIS\n.B dyndbg-elfsim\n.I command\n[\\fIoptions\\fR] [\\fIarguments\\fR]\n");
        b.Append(".SH COMMANDS\n");
        foreach (var c in root.Subcommands)
        {
            b.Append(".SS ").Append(c.Name);
            foreach (var a in c.Arguments)
            {
                b.Append(' ').Append(a.Name).Append(a.Arity.MaximumNumberOfValues > 1 ? "..." : "");
            }

            b.Append('\n').Append(Escape(c.Description ?? "")).Append('\n');
            foreach (var o in c.Options)
            {
                var names = string.Join(", ", o.Aliases.Prepend(o.Name).Distinct().Select(n => $"\\fB{Escape(n)}\\fR"));
                var value = o.ValueType == typeof(bool) ? "" : $" \\fI{Escape(o.HelpName ?? o.Name.TrimStart('-'))}\\fR";
                b.Append(".TP\n").Append(names).Append(value).Append('\n').Append(Escape(o.Description ?? "")).Append('\n');
            }

            if (CommandExamples.For(c.Name) is { Count: > 0 } examples)
            {
                b.Append(".PP\nExamples:\n.RS\n");
                foreach (var (line, what) in examples)
                {
                    b.Append(".TP\n.B ").Append(Escape($"{Program.Name} {line}")).Append('\n').Append(Escape(what)).Append('\n');
                }

                b.Append(".RE\n");
            }
        }

        b.Append(".SH EXIT STATUS\n.TP\n0\nall good\n.TP\n1\nthe input was read but a check or query failed\n.TP\n2\n");
        b.Append("the input could not be read (malformed ELF, unknown layout, bad usage, an output that would overwrite an input)\n");
        b.Append(".SH SEE ALSO\n.BR readelf (1),\n.BR ld (1)\n");
        return b.ToString();
    }

    /// <summary>roff: a backslash is written \e, and a line must not start with a dot or an apostrophe.</summary>
    private static string Escape(string s)
    {
        var t = s.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return t.StartsWith('.') || t.StartsWith('\'') ? "\\&" + t : t;
    }
}
