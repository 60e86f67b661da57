#!/usr/bin/env python3
"""Writes src/test/resources/io/pseudolabel/image/pil_goldens.json: Pillow's exact output for tiny inputs.

Run from the model-udfs directory with Debian's python3 (Pillow 9.4, numpy; torch 1.13 and python3-opencv
4.6 for section 5):
    /usr/bin/python3 src/test/python/make_image_goldens.py
The Java tests (ResamplerGoldenTest, ImageDecoderGoldenTest, ProcessorGoldenTest) assert against it.
Everything is deterministic (fixed seed); byte arrays are hex, float arrays are float32 lists.
"""
import io
import json
import os

import numpy as np
import PIL
from PIL import Image, ImageOps

rng = np.random.default_rng(20240611)
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "io", "pseudolabel", "image", "pil_goldens.json")


def hexbytes(a):
    return bytes(np.asarray(a, dtype=np.uint8).tobytes()).hex()


def rgb_image(w, h):
    return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


golden = {"pillow": PIL.__version__, "sources": {}, "resize": [], "orientation": [], "decode": [], "processors": []}

# 1. Image.resize, bilinear (2) and bicubic (3), up, down, mixed, non-integer ratios.
inputs = [(7, 5), (37, 23), (24, 18)]
targets = {
    (7, 5): [(3, 2), (11, 9), (16, 3), (5, 13), (7, 8), (1, 1), (14, 10)],
    (37, 23): [(16, 30), (12, 7), (37, 11)],
    (24, 18): [(7, 5), (5, 13), (3, 2)],
}
for (w, h) in inputs:
    src = rgb_image(w, h)
    golden["sources"]["%dx%d" % (w, h)] = hexbytes(src)
    im = Image.fromarray(src, "RGB")
    for (tw, th) in targets[(w, h)]:
        for code in (2, 3):
            out = np.asarray(im.resize((tw, th), resample=code, reducing_gap=None))
            golden["resize"].append({"src": "%dx%d" % (w, h), "tw": tw, "th": th,
                                     "resample": code, "out": hexbytes(out)})

# 2. ImageOps.exif_transpose for all 8 orientations on a 3x2 image (values 0..17 distinct).
base = np.arange(3 * 2 * 3, dtype=np.uint8).reshape(2, 3, 3)
for orientation in range(1, 9):
    im = Image.fromarray(base, "RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, "PNG", exif=exif.tobytes())
    back = ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue())))
    arr = np.asarray(back.convert("RGB"))
    golden["orientation"].append({"orientation": orientation, "w": arr.shape[1], "h": arr.shape[0],
                                  "out": hexbytes(arr), "png": buf.getvalue().hex()})


# 3. Decoding: files written by Pillow and what Image.open(...).convert('RGB') gives.
def smooth(w, h):
    yy, xx = np.mgrid[0:h, 0:w]
    r = (xx * 255 // max(w - 1, 1))
    g = (yy * 255 // max(h - 1, 1))
    b = ((xx + yy) * 127 // max(w + h - 2, 1)) + 64
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def add_decode(name, im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    data = buf.getvalue()
    back = Image.open(io.BytesIO(data))
    mode = back.mode
    arr = np.asarray(back.convert("RGB"))
    golden["decode"].append({"name": name, "mode": mode, "file": data.hex(), "w": arr.shape[1],
                             "h": arr.shape[0], "out": hexbytes(arr)})


rgb = Image.fromarray(smooth(16, 12), "RGB")
add_decode("rgb420.jpg", rgb, "JPEG", quality=90)
add_decode("rgb444.jpg", rgb, "JPEG", quality=90, subsampling=0)
add_decode("gray.jpg", rgb.convert("L"), "JPEG", quality=90)
add_decode("cmyk.jpg", rgb.convert("CMYK"), "JPEG", quality=95)
add_decode("palette.png", rgb.convert("P", palette=Image.ADAPTIVE, colors=16), "PNG")
add_decode("rgba.png", Image.fromarray(np.concatenate([smooth(16, 12), rng.integers(0, 256, (12, 16, 1), dtype=np.uint8)], -1), "RGBA"), "PNG")
add_decode("la.png", Image.fromarray(np.concatenate([smooth(16, 12)[:, :, :1], rng.integers(0, 256, (12, 16, 1), dtype=np.uint8)], -1), "LA"), "PNG")
add_decode("gray.png", rgb.convert("L"), "PNG")
add_decode("rgb.bmp", rgb, "BMP")
# 16-bit RGB PNG, written by hand (Pillow cannot write it): what Pillow makes of it when reading.
def png16(arr_be, color_type):
    import struct
    import zlib
    h, w = arr_be.shape[:2]

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    raw = b"".join(b"\x00" + arr_be[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


rgb16 = (smooth(6, 4).astype(np.uint16) * 257 + rng.integers(0, 200, (4, 6, 3))).astype(">u2")
data = png16(rgb16, 2)
back = Image.open(io.BytesIO(data))
golden["decode"].append({"name": "rgb16.png", "mode": back.mode, "file": data.hex(), "w": 6, "h": 4,
                         "out": hexbytes(np.asarray(back.convert("RGB")))})
# 16-bit grayscale: Pillow opens it as mode "I" and convert('RGB') CLIPS to 0..255 (1000 -> 255). We do
# not copy that; the golden records the high byte, which is what the Java decoder returns (documented).
g16 = (smooth(6, 4)[:, :, 0].astype(np.uint16) * 256 + 100).astype(">u2")
data = png16(g16, 0)
back = Image.open(io.BytesIO(data))
golden["decode"].append({"name": "gray16.png", "mode": back.mode, "file": data.hex(), "w": 6, "h": 4,
                         "out": hexbytes(np.repeat((g16.astype(np.uint16) >> 8).astype(np.uint8)[:, :, None], 3, -1)),
                         "pillow_out": hexbytes(np.asarray(back.convert("RGB")))})


# 4. Processor pipelines mirroring HF (PIL resize on uint8, numpy float32 rescale/normalise, floor crop).
def hf_pipeline(src, size, crop, resample, mean, std, rescale):
    im = Image.fromarray(src, "RGB").resize(size, resample=resample, reducing_gap=None)
    arr = np.asarray(im)
    if crop is not None:
        ch, cw = crop
        top = (arr.shape[0] - ch) // 2
        left = (arr.shape[1] - cw) // 2
        arr = arr[top:top + ch, left:left + cw]
    x = (arr.astype(np.float64) * rescale).astype(np.float32)
    x = (x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return x.transpose(2, 0, 1).astype(np.float32)


clip_mean, clip_std = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]
src = rgb_image(13, 9)
# CLIP with shortest_edge 10, crop 8: 13x9 -> int(10*13/9)=14 x 10, crop top=(10-8)//2=1, left=(14-8)//2=3
out = hf_pipeline(src, (14, 10), (8, 8), 3, clip_mean, clip_std, 1 / 255)
golden["processors"].append({"kind": "clip", "w": 13, "h": 9, "src": hexbytes(src),
                             "config": {"size": {"shortest_edge": 10}, "crop_size": {"height": 8, "width": 8},
                                        "do_center_crop": True, "do_resize": True, "do_rescale": True,
                                        "do_normalize": True, "image_mean": clip_mean, "image_std": clip_std,
                                        "resample": 3, "rescale_factor": 0.00392156862745098},
                             "out": out.astype("<f4").tobytes().hex()})
in_mean, in_std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
src = rgb_image(11, 7)
out = hf_pipeline(src, (12, 12), None, 2, in_mean, in_std, 1 / 255)
golden["processors"].append({"kind": "dino", "w": 11, "h": 7, "src": hexbytes(src),
                             "config": {"size": {"height": 12, "width": 12}, "resample": 2,
                                        "image_mean": in_mean, "image_std": in_std,
                                        "rescale_factor": 0.00392156862745098, "do_normalize": True,
                                        "do_rescale": True, "do_resize": True},
                             "out": out.astype("<f4").tobytes().hex()})


# 5. SAM 2.1 (model-contracts section 4), with OpenCV 4.6 and PyTorch 1.13 as the references:
#    - bilinear WITHOUT antialiasing on 8-bit images: cv2.resize(..., INTER_LINEAR) itself (samexporter's runner);
#    - both families' pixel values at sampled positions of the stretched 1024x1024 frame: onnx-community as HF
#      (Pillow bilinear, float32 rescale/normalise), samexporter as its runner (cv2.resize, then
#      (x / 255.0 - mean) / std in float64, cast to float32);
#    - 256x256 logits back to an image: HF's 256 -> 1024 -> (h, w) and samexporter's one step (cv2.resize is the
#      same half-pixel bilinear on float32). The logits are a formula both sides compute: ((7x + 13y) % 17) - 8.
import cv2
import torch
import torch.nn.functional as F


def linear_u8(src, w, h):
    return cv2.resize(src, (w, h), interpolation=cv2.INTER_LINEAR)


golden["sam2"] = {"torch": torch.__version__, "opencv": cv2.__version__, "linear": [], "pixel_values": [],
                  "masks": []}
# target widths whose rows are a multiple of 16 bytes (3 * w % 16 == 0), as 1024 is: OpenCV's vector path
for (w, h), targets in (((7, 5), [(16, 11), (16, 2), (32, 4), (48, 5)]), ((37, 23), [(16, 7), (64, 29)])):
    src = rgb_image(w, h)
    for (tw, th) in targets:
        golden["sam2"]["linear"].append({"w": w, "h": h, "src": hexbytes(src), "tw": tw, "th": th,
                                         "out": hexbytes(linear_u8(src, tw, th))})
# the whole 1024x1024 frame, as a SHA-256 of cv2's bytes, from sources both sides compute:
# value(x, y, c) = (37x + 101y + 59c + (xy mod 13)) mod 256
import hashlib
golden["sam2"]["frame_sha256"] = []
for (w, h) in ((320, 240), (2000, 1500), (1024, 1024), (511, 700)):
    yy, xx, cc = np.mgrid[0:h, 0:w, 0:3]
    formula = ((37 * xx + 101 * yy + 59 * cc + (xx * yy) % 13) % 256).astype(np.uint8)
    golden["sam2"]["frame_sha256"].append({"w": w, "h": h,
                                           "sha256": hashlib.sha256(linear_u8(formula, 1024, 1024).tobytes()).hexdigest()})
src = rgb_image(13, 9)
positions = [(int(c), int(y), int(x)) for c, y, x in zip(rng.integers(0, 3, 64), rng.integers(0, 1024, 64),
                                                        rng.integers(0, 1024, 64))] + [(0, 0, 0), (2, 1023, 1023)]
hf = hf_pipeline(src, (1024, 1024), None, 2, in_mean, in_std, 1 / 255)
sx = ((linear_u8(src, 1024, 1024) / 255.0 - np.array(in_mean)) / np.array(in_std)).astype(np.float32).transpose(2, 0, 1)
for family, arr in (("onnx-community", hf), ("samexporter", sx)):
    golden["sam2"]["pixel_values"].append({"family": family, "w": 13, "h": 9, "src": hexbytes(src),
                                           "positions": positions,
                                           "values": [float(arr[c, y, x]) for c, y, x in positions]})
yy, xx = np.mgrid[0:256, 0:256]
low = torch.from_numpy((((7 * xx + 13 * yy) % 17) - 8).astype(np.float32)).reshape(1, 1, 256, 256)
for (w, h) in ((40, 24), (23, 31)):
    two = F.interpolate(F.interpolate(low, size=(1024, 1024), mode="bilinear", align_corners=False), size=(h, w),
                        mode="bilinear", align_corners=False)
    one = F.interpolate(low, size=(h, w), mode="bilinear", align_corners=False)
    for family, out in (("onnx-community", two), ("samexporter", one)):
        golden["sam2"]["masks"].append({"family": family, "w": w, "h": h,
                                        "out": out[0, 0].numpy().astype("<f4").tobytes().hex()})

with open(OUT, "w") as f:
    json.dump(golden, f, separators=(",", ":"))
print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")
