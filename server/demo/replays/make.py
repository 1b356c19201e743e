#!/usr/bin/env python3
"""Makes the demo replays: each one's voices (synthesised with espeak-ng, kept as small Ogg Opus
files) and its replay.json (chapters, views, pointer tracks and drawings placed on the speech).

Run once after changing a script below; the outputs are committed, so neither `make run` nor CI
needs espeak-ng or ffmpeg:  python3 server/demo/replays/make.py   (needs espeak-ng and ffmpeg).
The clips are the demo library's 640 × 480 case clips; `replays.toml` says which case each
replay belongs to, and the seed puts the clip's SOP Instance UID into the package it imports.
"""
import json, math, os, subprocess, tempfile, wave

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 22050
GAP_MS = 700

VOICES = {"zh": "cmn", "zh-2": "cmn+f3", "en": "en-us", "en-2": "en-us+f3"}


def speak(text, voice):
    with tempfile.NamedTemporaryFile(suffix=".wav", delete=False) as f:
        path = f.name
    subprocess.run(["espeak-ng", "-v", VOICES[voice], "-s", "165", "-w", path, text], check=True)
    with wave.open(path) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        pcm = w.readframes(w.getnframes())
    os.unlink(path)
    return pcm


def pointer_track(t0, t1, a, b, every=50):
    """A pointer gliding from a to b (eased), one sample per `every` ms."""
    out = []
    n = max(1, (t1 - t0) // every)
    for i in range(n + 1):
        s = i / n
        s = s * s * (3 - 2 * s)
        out.append({"t": t0 + i * every, "kind": "pointer",
                    "x": round(a[0] + (b[0] - a[0]) * s, 1), "y": round(a[1] + (b[1] - a[1]) * s, 1)})
    return out


def circle_track(t0, t1, c, r, every=50):
    out = []
    n = max(1, (t1 - t0) // every)
    for i in range(n + 1):
        a = 2 * math.pi * i / n
        out.append({"t": t0 + i * every, "kind": "pointer",
                    "x": round(c[0] + r * math.cos(a), 1), "y": round(c[1] + r * math.sin(a), 1)})
    return out


def view(t, frame, playing, zoom=1.0, pan=(0.0, 0.0), speed=1.0):
    return {"t": t, "kind": "view", "frame": frame, "playing": playing, "speed": speed,
            "loop": "loop", "zoom": zoom, "pan": list(pan)}


def arrow(tail, head, frames=(0, 29), color=None):
    a = {"shape": {"kind": "arrow", "tail": {"x": tail[0], "y": tail[1]}, "head": {"x": head[0], "y": head[1]}},
         "first_frame": frames[0], "last_frame": frames[1]}
    if color:
        a["color"] = color
    return a


def ellipse(c, rx, ry, frames=(0, 29), color=None):
    a = {"shape": {"kind": "ellipse", "center": {"x": c[0], "y": c[1]}, "rx": rx, "ry": ry},
         "first_frame": frames[0], "last_frame": frames[1]}
    if color:
        a["color"] = color
    return a


def label(at, text, frames=(0, 29)):
    return {"shape": {"kind": "text", "at": {"x": at[0], "y": at[1]}, "text": text},
            "first_frame": frames[0], "last_frame": frames[1]}


def build(name, title, summary, language, speakers, script):
    """`script`: (speaker index, text, chapter or None, actions(t0, t1) -> events)."""
    tracks = [bytearray() for _ in speakers]
    events = []
    t = 500
    for who, text, chapter, actions in script:
        pcm = speak(text, speakers[who]["voice"])
        ms = len(pcm) * 1000 // (2 * RATE)
        for i, track in enumerate(tracks):
            # Pad every track to the segment's start, then the speaker's speech.
            start = t * RATE // 1000 * 2
            track.extend(b"\0" * (start - len(track)))
            if i == who:
                track.extend(pcm)
        if chapter:
            events.append({"t": t, "kind": "chapter", "title": chapter})
        events.extend(actions(t, t + ms) if actions else [])
        t += ms + GAP_MS
    duration = t
    voices = []
    for i, (spk, track) in enumerate(zip(speakers, tracks)):
        track.extend(b"\0" * (duration * RATE // 1000 * 2 - len(track)))
        wav = os.path.join(tempfile.gettempdir(), f"{name}-{i}.wav")
        with wave.open(wav, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(bytes(track))
        out = f"voice-{i + 1}.ogg"
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", wav, "-c:a", "libopus",
                        "-b:a", "16k", "-ac", "1", "-ar", "16000", os.path.join(HERE, name, out)], check=True)
        os.unlink(wav)
        voices.append({"file": out, "speaker": spk["name"], "by": spk["by"], "offset_ms": 0})
    for e in events:
        if spk_by := e.pop("by", None):
            e["by"] = spk_by
    events.sort(key=lambda e: e["t"])
    manifest = {"format": "sonohub-replay", "version": 1, "title": title, "summary": summary,
                "language": language, "clip": {"kind": "dicom", "file": "clip.dcm"},
                "voices": voices, "timeline": {"duration_ms": duration, "events": events}}
    with open(os.path.join(HERE, name, "replay.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{name}: {duration / 1000:.1f} s, {len(events)} events")


def efast():
    # A live session: the hub's expert guides a community doctor's right-upper-quadrant window.
    def doctor(events):
        for e in events:
            e["by"] = 1
        return events
    script = [
        (1, "陈老师，这是右上腹的切面，我看不太清肝肾隐窝。", "社区医生的切面",
         lambda a, b: [view(a, 0, True)] + doctor(pointer_track(a + 300, b, (250, 200), (330, 260)))),
        (0, "好，先暂停。你现在看到的是肝脏，右肾在这里。", "找到肝肾隐窝",
         lambda a, b: [view(a, 12, False)] + pointer_track(a + 200, a + 1800, (200, 150), (250, 210))
         + pointer_track(a + 2200, b - 200, (420, 330), (380, 320))),
        (0, "肝肾之间这条黑色的带子就是游离液体，我把它圈出来。", None,
         lambda a, b: pointer_track(a, a + 1500, (380, 320), (320, 287))
         + [{"t": a + 1800, "kind": "draw", "id": 1, "annotation": ellipse((320, 287), 62, 30, color="#ffd54f")}]),
        (0, "探头往头侧倾斜一点，把肝下缘也包括进来，少量积液常常先出现在那里。", "纠正切面",
         lambda a, b: [view(a, 12, False, zoom=1.6, pan=(0.0, -0.05))]
         + [{"t": a + 1200, "kind": "draw", "id": 2, "annotation": arrow((470, 200), (380, 272), color="#4fc3f7")}]
         + circle_track(a + 1500, b, (330, 280), 40)),
        (1, "好的，我往头侧倾斜了，现在能看到肝下缘的液体了。", None,
         lambda a, b: [view(a, 8, True, zoom=1.0)] + doctor(pointer_track(a, b, (300, 300), (330, 285)))),
        (0, "对，这就是阳性。记下宽度约八毫米，马上联系转运。", "结论",
         lambda a, b: [view(a, 20, False), {"t": a + 400, "kind": "draw", "id": 3, "annotation": label((440, 170), "积液约 8 mm")},
                       {"t": b, "kind": "remark", "text": "eFAST 阳性：肝肾隐窝积液，立即转运"},
                       {"t": b, "kind": "pointer_out"}]),
    ]
    build("efast-ruq", "远程指导：右上腹切面纠正，肝肾隐窝积液",
          "社区医生的 eFAST 右上腹切面没有包括肝下缘；上级医院专家远程指导调整探头，找到肝肾隐窝积液。",
          "zh", [{"name": "陈静（上级医院）", "voice": "zh", "by": 0}, {"name": "社区医生", "voice": "zh-2", "by": 1}],
          script)


def lung():
    script = [
        (0, "This is the right anterior chest. Watch the pleural line while the clip plays.", "Finding the pleural line",
         lambda a, b: [view(a, 0, True)] + pointer_track(a + 500, b, (150, 120), (300, 175))),
        (0, "On the left of the screen there is no sliding. The pleural line stays still.", "No sliding",
         lambda a, b: [{"t": a + 300, "kind": "draw", "id": 1, "annotation": arrow((130, 150), (258, 172), color="#4fc3f7")}]
         + circle_track(a + 500, b, (200, 172), 30)),
        (0, "Now pause here. This is the lung point, where sliding lung meets the pneumothorax.", "The lung point",
         lambda a, b: [view(a + 200, 15, False, zoom=1.5, pan=(-0.03, 0.04))]
         + pointer_track(a + 400, a + 2000, (250, 176), (340, 176))
         + [{"t": a + 2200, "kind": "draw", "id": 2, "annotation": ellipse((340, 176), 30, 18, color="#ffd54f")},
            {"t": a + 2600, "kind": "draw", "id": 3, "annotation": label((380, 110), "lung point")}]),
        (0, "A lung point is specific for pneumothorax. Step through the frames and watch it move with breathing.", "Stepping through",
         lambda a, b: [view(a, 15, False, zoom=1.0), view(a + 1500, 16, False), view(a + 2200, 17, False),
                       view(a + 2900, 18, False), view(a + 3600, 19, False), view(a + 4300, 20, True)]),
        (0, "Tell the receiving hospital: pneumothorax with a lung point at the anterior axillary line.", "Handover",
         lambda a, b: [{"t": a, "kind": "erase", "id": 1},
                       {"t": b, "kind": "remark", "text": "Pneumothorax: lung point at the right anterior axillary line"},
                       {"t": b, "kind": "pointer_out"}]),
    ]
    build("lung-point", "Finding the lung point in a spontaneous pneumothorax",
          "How to confirm a pneumothorax at the bedside: absent sliding, then the lung point.",
          "en", [{"name": "Dr Wang Lei (hub)", "voice": "en", "by": 0}], script)


def carotid():
    script = [
        (0, "这是左侧颈内动脉起始段的纵切面。先让它播放一遍。", "纵切面",
         lambda a, b: [view(a, 0, True)] + pointer_track(a + 800, b, (200, 300), (320, 340))),
        (0, "暂停。后壁上这个低回声的隆起就是斑块，我把它圈出来。", "找到斑块",
         lambda a, b: [view(a, 10, False, zoom=1.8, pan=(0.0, -0.12))]
         + pointer_track(a + 300, a + 1800, (320, 340), (320, 346))
         + [{"t": a + 2000, "kind": "draw", "id": 1, "annotation": ellipse((320, 346), 42, 12, color="#ffd54f")}]),
        (0, "斑块表面光滑，回声低，属于软斑。测量狭窄程度要用多普勒流速，而不是只看直径。", "判断狭窄",
         lambda a, b: [{"t": a + 500, "kind": "draw", "id": 2, "annotation": arrow((470, 420), (352, 352), color="#4fc3f7")},
                       {"t": a + 900, "kind": "draw", "id": 3, "annotation": label((430, 430), "软斑")}]
         + circle_track(a + 1000, b, (320, 346), 30)),
        (0, "这个病例峰值流速不高，狭窄小于百分之五十。建议六到十二个月复查。", "结论与随访",
         lambda a, b: [view(a, 10, True, zoom=1.0), {"t": b, "kind": "remark", "text": "软斑，狭窄 <50%，6–12 个月复查"},
                       {"t": b, "kind": "pointer_out"}]),
    ]
    build("carotid-plaque", "颈动脉软斑：如何找到并判断狭窄程度",
          "左侧颈内动脉起始段低回声软斑：找到斑块、描述形态、用流速判断狭窄程度。",
          "zh", [{"name": "王磊（上级医院）", "voice": "zh", "by": 0}], script)


if __name__ == "__main__":
    for name in ["efast-ruq", "lung-point", "carotid-plaque"]:
        os.makedirs(os.path.join(HERE, name), exist_ok=True)
    efast()
    lung()
    carotid()
