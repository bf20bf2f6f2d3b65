using System.Text.Encodings.Web;
using System.Text.Json;

namespace DynDbg.ElfSim.Reports;

/// <summary>Small JSON shapes every report uses.</summary>
public static class JsonArrays
{
    /// <summary>
    /// Every JSON output's writer: indented, and escaping only what JSON itself requires (quote, backslash, control
    /// characters), so a format string with <c>'</c>, <c>+</c> or <c>§</c> reads as it is written, not as
    /// <c>\u0027</c>. The output is UTF-8 and never embedded in HTML, so the HTML-safe default buys nothing.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The version of every JSON document's shape (docs/json.md, docs/schemas/). New fields keep it; only renaming,
    /// removing or retyping a field would raise it, and the command-line contract forbids that.
    /// </summary>
    public const int SchemaVersion = 1;

    /// <summary>Opens a document's top-level object (the object, or each element of the array, a command prints)
    /// with <c>schemaVersion</c> as its first field, so a script can tell the shape before it reads anything else.</summary>
    public static void StartDocument(Utf8JsonWriter j)
    {
        j.WriteStartObject();
        j.WriteNumber("schemaVersion", SchemaVersion);
    }

    public static void WriteStrings(Utf8JsonWriter j, string name, IEnumerable<string> values)
    {
        j.WriteStartArray(name);
        foreach (var v in values)
        {
            j.WriteStringValue(v);
        }

        j.WriteEndArray();
    }

    /// <summary>One object per input, an array of them when there are several (llvm-readobj's convention).</summary>
    public static string Document<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> write) => Text(j =>
    {
        if (items.Count > 1)
        {
            j.WriteStartArray();
        }

        foreach (var item in items)
        {
            write(j, item);
        }

        if (items.Count > 1)
        {
            j.WriteEndArray();
        }
    });

    /// <summary>What <paramref name="write"/> writes with <see cref="WriterOptions"/>, as text ending in a newline.</summary>
    public static string Text(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
        using (var j = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(j);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }
}
