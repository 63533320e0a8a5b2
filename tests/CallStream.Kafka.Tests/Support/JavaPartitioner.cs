namespace CallStream.Kafka.Tests.Support;

/// <summary>The Java client's key placement: <c>Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions</c>.</summary>
internal static class JavaPartitioner
{
    public static int Partition(byte[] key, int partitions) => (Murmur2(key) & 0x7fffffff) % partitions;

    public static int Murmur2(byte[] data)
    {
        const uint M = 0x5bd1e995;
        const int R = 24;
        int length = data.Length;
        uint h = 0x9747b28c ^ (uint)length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++)
        {
            int i4 = i * 4;
            uint k = data[i4] | ((uint)data[i4 + 1] << 8) | ((uint)data[i4 + 2] << 16) | ((uint)data[i4 + 3] << 24);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        int tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return unchecked((int)h);
    }
}
