using System.Buffers.Binary;
using System.IO.Compression;

namespace CallStream.Insights.Tests;

/// <summary>
/// A minimal PNG decoder for the screenshot checks: 8-bit RGB or RGBA, not interlaced (what Chromium writes), with the
/// five scanline filters undone. Pixels are read as RGB.
/// </summary>
internal sealed class ReportPng
{
    private readonly byte[] _pixels;
    private readonly int _channels;

    private ReportPng(int width, int height, int channels, byte[] pixels)
    {
        Width = width;
        Height = height;
        _channels = channels;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            int at = ((y * Width) + x) * _channels;
            return (_pixels[at], _pixels[at + 1], _pixels[at + 2]);
        }
    }

    public static ReportPng Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (!file.AsSpan(0, 8).SequenceEqual(signature))
            throw new InvalidDataException($"{path} is not a PNG file.");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        int pos = 8;
        while (pos + 8 <= file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(file, pos + 4, 4);
            var data = file.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                byte bitDepth = data[8], colorType = data[9], interlace = data[12];
                if (bitDepth != 8 || interlace != 0 || colorType is not (2 or 6))
                    throw new NotSupportedException($"PNG with bit depth {bitDepth}, colour type {colorType}, interlace {interlace} is not supported.");
                channels = colorType == 6 ? 4 : 3;
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }
            pos += 12 + length;
        }
        if (channels == 0)
            throw new InvalidDataException($"{path} has no IHDR chunk.");

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
            zlib.CopyTo(inflated);
        byte[] raw = inflated.ToArray();
        int stride = width * channels;
        var pixels = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            var line = raw.AsSpan((y * (stride + 1)) + 1, stride);
            var output = pixels.AsSpan(y * stride, stride);
            var previous = y == 0 ? [] : pixels.AsSpan((y - 1) * stride, stride);
            for (int i = 0; i < stride; i++)
            {
                int left = i >= channels ? output[i - channels] : 0;
                int up = y > 0 ? previous[i] : 0;
                int upLeft = y > 0 && i >= channels ? previous[i - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"Unknown PNG filter {filter} on row {y}."),
                };
                output[i] = (byte)(line[i] + predictor);
            }
        }
        return new ReportPng(width, height, channels, pixels);
    }

    /// <summary>Counts the clearly coloured pixels (not white, grey or black) in a rectangle, clipped to the image.</summary>
    public int CountColoured(int x, int y, int width, int height, int minSaturation = 40)
    {
        int count = 0;
        for (int row = Math.Max(0, y); row < Math.Min(Height, y + height); row++)
        {
            for (int col = Math.Max(0, x); col < Math.Min(Width, x + width); col++)
            {
                var (r, g, b) = this[col, row];
                if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) >= minSaturation)
                    count++;
            }
        }
        return count;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
