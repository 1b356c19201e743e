#!/usr/bin/env python3
"""Seeds for the fuzz targets (standard library only, so a clean CI machine can run it).

    seeds.py corpus DIR...   fills corpus/<target>/ from seeds/, regressions/ and the DICOM
                             files in each DIR (the samples `.ci/tools test` downloads, which
                             are too large to commit): whole files for `ingest` and `frames`,
                             their JPEG codestreams for `jpeg_mask`, zips of them for
                             `upload_zip` and `replay_package`.
    seeds.py construct       rewrites the committed seeds/ that are built here rather than
                             found: PDUs, command sets, a tiny DICOM file, zips, queries.

Each target's largest input is its `-max_len` (see FUZZ_TARGETS in the Makefile); larger
seeds are left out rather than truncated by libFuzzer into something else.
"""
import io
import json
import shutil
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "seeds"
CORPUS = HERE / "corpus"
REGRESSIONS = HERE / "regressions"
VOICE = HERE.parent / "tests" / "data" / "voice.ogg"

MAX_LEN = {
    "ingest": 1 << 20,
    "frames": 1 << 20,
    "jpeg_mask": 256 << 10,
    "store_pdu": 128 << 10,
    "dimse_command": 16 << 10,
    "qido_query": 4 << 10,
    "upload_zip": 128 << 10,
    "replay_package": 128 << 10,
}

VERIFICATION = "1.2.840.10008.1.1"
US_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.6.1"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"


def uid(value):
    """A UI value padded to even length with NUL, as DICOM writes it."""
    raw = value.encode()
    return raw + b"\0" if len(raw) % 2 else raw


def text(value):
    """A text value padded to even length with a space."""
    raw = value.encode()
    return raw + b" " if len(raw) % 2 else raw


# --- DIMSE command sets and PDUs (PS3.7 annex E, PS3.8 section 9.3) ---------------------


def implicit(elements):
    """Implicit VR little endian elements (group 0000), led by their group length."""
    body = b"".join(struct.pack("<HHI", 0, e, len(v)) + v for e, v in elements)
    return struct.pack("<HHII", 0, 0, 4, len(body)) + body


def us(value):
    return struct.pack("<H", value)


def echo_rq():
    return implicit([
        (0x0002, uid(VERIFICATION)),
        (0x0100, us(0x0030)),
        (0x0110, us(1)),
        (0x0800, us(0x0101)),
    ])


def store_rq():
    return implicit([
        (0x0002, uid(US_IMAGE_STORAGE)),
        (0x0100, us(0x0001)),
        (0x0110, us(7)),
        (0x0700, us(0)),
        (0x0800, us(0x0000)),
        (0x1000, uid("2.25.1234567890")),
    ])


def pdu(kind, body):
    return struct.pack(">BBI", kind, 0, len(body)) + body


def item(kind, body):
    return struct.pack(">BBH", kind, 0, len(body)) + body


def associate_rq():
    contexts = b""
    for pc_id, abstract in ((1, VERIFICATION), (3, US_IMAGE_STORAGE)):
        contexts += item(
            0x20,
            struct.pack(">BBBB", pc_id, 0, 0, 0)
            + item(0x30, abstract.encode())
            + item(0x40, EXPLICIT_LE.encode())
            + item(0x40, IMPLICIT_LE.encode()),
        )
    user = (
        item(0x51, struct.pack(">I", 16384))
        + item(0x52, b"1.2.826.0.1.3680043.9.7433.1.1")
        + item(0x55, b"FUZZ_SCU")
    )
    head = struct.pack(">HH", 1, 0) + b"SONOHUB".ljust(16) + b"FUZZ_SCU".ljust(16) + bytes(32)
    return pdu(0x01, head + item(0x10, b"1.2.840.10008.3.1.1.1") + contexts + item(0x50, user))


def pdata(*values):
    """P-DATA-TF of (context, command?, last?, bytes) values."""
    body = b""
    for context, command, last, data in values:
        header = (1 if command else 0) | (2 if last else 0)
        body += struct.pack(">IBB", len(data) + 2, context, header) + data
    return pdu(0x04, body)


RELEASE_RQ = pdu(0x05, bytes(4))


# --- A tiny ultrasound image (explicit VR little endian) ---------------------------------

LONG_VRS = {b"OB", b"OW", b"SQ", b"UN", b"UT"}


def explicit(elements):
    out = b""
    for (group, element), vr, value in sorted(elements):
        if vr in LONG_VRS:
            out += struct.pack("<HH2sHI", group, element, vr, 0, len(value))
        else:
            out += struct.pack("<HH2sH", group, element, vr, len(value))
        out += value
    return out


def tiny_dicom(rows=8, columns=8):
    """An 8-bit MONOCHROME2 US image with a patient name and ID to de-identify."""
    sop = "2.25.987654321"
    meta = explicit([
        ((2, 1), b"OB", b"\0\1"),
        ((2, 2), b"UI", uid(US_IMAGE_STORAGE)),
        ((2, 3), b"UI", uid(sop)),
        ((2, 0x10), b"UI", uid(EXPLICIT_LE)),
        ((2, 0x12), b"UI", uid("1.2.826.0.1.3680043.9.7433.1.1")),
    ])
    meta = explicit([((2, 0), b"UL", struct.pack("<I", len(meta)))]) + meta
    data = explicit([
        ((8, 0x16), b"UI", uid(US_IMAGE_STORAGE)),
        ((8, 0x18), b"UI", uid(sop)),
        ((8, 0x20), b"DA", b"20240131"),
        ((8, 0x60), b"CS", text("US")),
        ((8, 0x70), b"LO", text("ACME")),
        ((0x10, 0x10), b"PN", text("DOE^JANE")),
        ((0x10, 0x20), b"LO", text("MRN-12345")),
        ((0x20, 0x0D), b"UI", uid("2.25.11")),
        ((0x20, 0x0E), b"UI", uid("2.25.12")),
        ((0x28, 0x02), b"US", us(1)),
        ((0x28, 0x04), b"CS", text("MONOCHROME2")),
        ((0x28, 0x10), b"US", us(rows)),
        ((0x28, 0x11), b"US", us(columns)),
        ((0x28, 0x100), b"US", us(8)),
        ((0x28, 0x101), b"US", us(8)),
        ((0x28, 0x102), b"US", us(7)),
        ((0x28, 0x103), b"US", us(0)),
        ((0x7FE0, 0x10), b"OB", bytes((x * 29) & 0xFF for x in range(rows * columns))),
    ])
    return bytes(128) + b"DICM" + meta + data


def zipped(files, method=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in files:
            z.writestr(name, data)
    return out.getvalue()


def replay_json(clip_file, voices=("voice.ogg",)):
    return json.dumps({
        "format": "sonohub-replay", "version": 1, "title": "Lung point", "language": "en",
        "clip": {"kind": "dicom", "file": clip_file},
        "voices": [{"file": v, "speaker": "Dr Chen", "by": 0, "offset_ms": 0} for v in voices],
        "timeline": {"duration_ms": 1200, "events": [
            {"t": 0, "kind": "chapter", "title": "RUQ window"},
            {"t": 0, "kind": "view", "frame": 0, "playing": True},
            {"t": 300, "kind": "pointer", "x": 4.0, "y": 4.0},
            {"t": 900, "kind": "remark", "text": "tilt the probe"},
        ]},
    }).encode()


QUERIES = {
    # The first byte picks the level (value modulo 3): '0' study, '1' series, '2' instance.
    "study_dates.txt": b"0StudyDate=20200101-20201231&limit=10&offset=20&includefield=all",
    "study_name.txt": b"0PatientName=DOE%5EJ*&PatientID=MRN-1&ModalitiesInStudy=US%5CCT&fuzzymatching=true",
    "series_numbers.txt": b"1Modality=US&SeriesNumber=1,2,3&StudyTime=080000-120000.5&0020000D=1.2.3",
    "instance_uids.txt": b"2SOPInstanceUID=1.2.3%5C1.2.4&InstanceNumber=7&SOPClassUID=1.2.840.10008.5.1.4.1.1.6.1",
    "emptied.txt": b"0AccessionNumber=**&StudyID=*&ReferringPhysicianName=&unknown=x",
}


def construct():
    """Rewrites the committed seeds that are built rather than found."""
    dicom = tiny_dicom()
    seeds = {
        "store_pdu/associate_rq.pdu": associate_rq(),
        "store_pdu/echo_session.pdu": associate_rq()
        + pdata((1, True, True, echo_rq()))
        + RELEASE_RQ,
        # A command in two fragments, then its data set in two: the receiver's reassembly.
        "store_pdu/store_session.pdu": associate_rq()
        + pdata((3, True, False, store_rq()[:20]), (3, True, True, store_rq()[20:]))
        + pdata((3, False, False, dicom[132:300]))
        + pdata((3, False, True, dicom[300:]))
        + RELEASE_RQ,
        "dimse_command/echo_rq.bin": echo_rq(),
        "dimse_command/store_rq.bin": store_rq(),
        "ingest/tiny_us.dcm": dicom,
        "frames/tiny_us.dcm": dicom,
        "upload_zip/tiny.zip": zipped([
            ("study/IM0001", dicom),
            ("study/DICOMDIR", b"not read"),
            (".hidden", b"skipped"),
            ("../outside.dcm", dicom),
        ]),
        "replay_package/tiny.zip": zipped([
            ("replay.json", replay_json("exam/clip.dcm")),
            ("exam/clip.dcm", dicom),
            ("voice.ogg", VOICE.read_bytes()),
        ]),
    }
    seeds.update({f"qido_query/{name}": q for name, q in QUERIES.items()})
    for name, data in seeds.items():
        path = SEEDS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{len(data):8} {path.relative_to(HERE)}")


# --- The corpus ---------------------------------------------------------------------------


def jpeg_codestreams(data):
    """Each JPEG codestream (SOI to EOI) inside an encapsulated Pixel Data value."""
    at = 0
    while (start := data.find(b"\xff\xd8\xff", at)) >= 0:
        end = data.find(b"\xff\xd9", start)
        if end < 0:
            return
        yield data[start:end + 2]
        at = end + 2


def components(jpeg):
    """The component count of the first baseline or extended SOF, or 0."""
    for marker in (b"\xff\xc0", b"\xff\xc1"):
        at = jpeg.find(marker)
        if at >= 0 and at + 9 < len(jpeg):
            return jpeg[at + 9]
    return 0


def dicom_files(dirs):
    for folder in dirs:
        for path in sorted(Path(folder).glob("*")):
            if path.is_file():
                head = path.read_bytes()[:132]
                if head[128:132] == b"DICM" or path.suffix == ".dcm":
                    yield path


def corpus(dirs):
    """Fills corpus/<target>/ (kept between runs: what the fuzzer found stays)."""
    for target in MAX_LEN:
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
        for folder in (SEEDS / target, REGRESSIONS / target, REGRESSIONS / target / "open"):
            for path in sorted(folder.glob("*")) if folder.is_dir() else []:
                if path.is_file():
                    shutil.copy(path, CORPUS / target / path.name)

    def put(target, name, data):
        if len(data) <= MAX_LEN[target]:
            (CORPUS / target / name).write_bytes(data)

    voice = VOICE.read_bytes()
    missing = [d for d in dirs if not Path(d).is_dir()]
    for d in missing:
        print(f"no {d}: run `make test-tools` for the DICOM samples", file=sys.stderr)
    for path in dicom_files([d for d in dirs if d not in missing]):
        data = path.read_bytes()
        put("ingest", path.name, data)
        put("frames", path.name, data)
        for i, jpeg in enumerate(jpeg_codestreams(data)):
            # Colour choice, then a rectangle over the top-left quarter.
            colour = 1 if components(jpeg) == 3 else 0
            put("jpeg_mask", f"{path.stem}-{i}.jpg", bytes([colour, 0, 0, 128, 128]) + jpeg)
            if i >= 3:
                break
        put("upload_zip", f"{path.stem}.zip", zipped([(f"study/{path.name}", data)]))
        put("replay_package", f"{path.stem}.zip", zipped([
            ("replay.json", replay_json("clip.dcm")),
            ("clip.dcm", data),
            ("voice.ogg", voice),
        ]))
    for target in MAX_LEN:
        count = sum(1 for _ in (CORPUS / target).iterdir())
        print(f"corpus/{target}: {count} inputs")


if __name__ == "__main__":
    if sys.argv[1:2] == ["construct"]:
        construct()
    elif sys.argv[1:2] == ["corpus"]:
        corpus(sys.argv[2:])
    else:
        sys.exit(__doc__)
