using System.Text;
using System.Text.Json;

namespace DynDbg.ElfSim.Reports;

/// <summary>
/// The JSON shape every command shares: one object per input, an array when there are several (as llvm-readobj
/// does), indented, written whole after it is complete.
/// </summary>
public static class JsonOutput
{
    public static void Write<T>(TextWriter w, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> writeOne)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
        using (var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            if (items.Count > 1)
            {
                j.WriteStartArray();
            }

            foreach (var item in items)
            {
                writeOne(j, item);
            }

            if (items.Count > 1)
            {
                j.WriteEndArray();
            }
        }

        w.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        w.Write('\n');
    }
}
