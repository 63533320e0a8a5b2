using System.Runtime.InteropServices;
using System.Text;

namespace CallStream.Kafka.Native;

/// <summary>The core librdkafka functions CallStream calls directly (everything else goes through Confluent.Kafka).</summary>
internal static unsafe partial class Librdkafka
{
    /// <summary><c>RD_KAFKA_PRODUCER</c> of <c>rd_kafka_type_t</c>.</summary>
    internal const int ProducerType = 0;

    /// <summary><c>RD_KAFKA_CONF_OK</c> of <c>rd_kafka_conf_res_t</c>.</summary>
    internal const int ConfOk = 0;

    /// <summary>The size of the error buffers handed to librdkafka.</summary>
    internal const int ErrorBufferSize = 512;

    /// <summary><c>rd_kafka_conf_t *rd_kafka_conf_new(void)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial nint rd_kafka_conf_new();

    /// <summary><c>void rd_kafka_conf_destroy(rd_kafka_conf_t *conf)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_conf_destroy(nint conf);

    /// <summary><c>rd_kafka_conf_res_t rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *errstr, size_t errstr_size)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary><c>rd_kafka_t *rd_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size)</c>; takes ownership of <c>conf</c> only on success.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial nint rd_kafka_new(int type, nint conf, byte* errstr, nuint errstrSize);

    /// <summary><c>void rd_kafka_destroy(rd_kafka_t *rk)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_destroy(nint rk);

    /// <summary>Reads a NUL-terminated UTF-8 error message from a buffer librdkafka filled.</summary>
    internal static string ReadError(byte* buffer, int size)
    {
        var span = new ReadOnlySpan<byte>(buffer, size);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
