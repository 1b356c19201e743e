"""Drives SonoHub's /dicom-web with the real dicomweb-client package, as OHIF-like clients do:
searches, instances, metadata, frames (as stored and decoded), rendered images, bulk data.

Called by server/tests/dicomweb.rs with one JSON argument:
  {"url", "token", "patient_key", "forbidden": [...], "reference_dir"}
where reference_dir holds each instance as /dicom/{sha} served it, named <SOPInstanceUID>.dcm.
Prints one JSON object of facts for the Rust test to assert; it judges nothing itself.
"""
import io
import json
import os
import sys
from urllib.parse import urljoin

# This file's name is the package's: look for the package only on PYTHONPATH.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import numpy  # noqa: E402
import pydicom  # noqa: E402
import pydicom.encaps  # noqa: E402
import requests  # noqa: E402
from dicomweb_client.api import DICOMwebClient  # noqa: E402
from PIL import Image  # noqa: E402

config = json.loads(sys.argv[1])
client = DICOMwebClient(
    url=config["url"], headers={"Authorization": "Bearer " + config["token"]}
)
facts = {}
# Everything any response carried, to look for source identifiers in.
seen = []


def value(attrs, tag):
    """The first value of an attribute in DICOM JSON, or None."""
    return (attrs.get(tag, {}).get("Value") or [None])[0]


def study_facts(study):
    return {
        "uid": value(study, "0020000D"),
        "patient_id": value(study, "00100020"),
        "patient_name": value(study, "00100010"),
        "date": value(study, "00080020"),
        "modalities": study.get("00080061", {}).get("Value", []),
        "series": value(study, "00201206"),
        "instances": value(study, "00201208"),
    }


studies = client.search_for_studies()
seen.append(json.dumps(studies))
facts["studies"] = [study_facts(s) for s in studies]
facts["by_patient"] = [
    value(s, "0020000D")
    for s in client.search_for_studies(search_filters={"PatientID": config["patient_key"]})
]
facts["by_other_patient"] = len(
    client.search_for_studies(search_filters={"PatientID": "SH0000000000000000"})
)
facts["by_wildcard"] = len(
    client.search_for_studies(search_filters={"PatientID": config["patient_key"][:6] + "*"})
)
first_date = facts["studies"][0]["date"]
facts["by_date"] = [
    value(s, "0020000D")
    for s in client.search_for_studies(search_filters={"StudyDate": first_date})
]
facts["by_date_range"] = len(
    client.search_for_studies(search_filters={"StudyDate": "19000101-" + first_date})
)
facts["by_modality"] = len(
    client.search_for_studies(search_filters={"ModalitiesInStudy": "US"})
)
facts["by_other_modality"] = len(
    client.search_for_studies(search_filters={"ModalitiesInStudy": "CT"})
)
facts["page_two"] = [
    value(s, "0020000D") for s in client.search_for_studies(limit=1, offset=1)
]
facts["all_pages"] = len(client.search_for_studies(limit=1, get_remaining=True))

facts["series"] = {}
facts["instances"] = {}
facts["retrieved"] = {}
for study in facts["studies"]:
    uid = study["uid"]
    series = client.search_for_series(study_instance_uid=uid)
    seen.append(json.dumps(series))
    facts["series"][uid] = [
        {
            "uid": value(s, "0020000E"),
            "modality": value(s, "00080060"),
            "number": value(s, "00200011"),
            "instances": value(s, "00201209"),
        }
        for s in series
    ]
    facts["instances"][uid] = len(client.search_for_instances(study_instance_uid=uid))
    for s in facts["series"][uid]:
        instances = client.search_for_instances(
            study_instance_uid=uid, series_instance_uid=s["uid"]
        )
        seen.append(json.dumps(instances))
        for i in instances:
            sop = value(i, "00080018")
            # As stored (any transfer syntax), then with no transfer syntax named.
            ds = client.retrieve_instance(
                uid, s["uid"], sop, media_types=(("application/dicom", "*"),)
            )
            plain = client.retrieve_instance(uid, s["uid"], sop)
            reference = pydicom.dcmread(os.path.join(config["reference_dir"], sop + ".dcm"))
            buffer = io.BytesIO()
            ds.save_as(buffer)
            seen.append(buffer.getvalue().decode("latin-1"))
            try:
                client.retrieve_instance(
                    uid,
                    s["uid"],
                    sop,
                    media_types=(("application/dicom", "1.2.840.10008.1.2.1"),),
                )
                explicit_le = 200
            except requests.HTTPError as e:
                explicit_le = e.response.status_code
            facts["retrieved"][sop] = {
                "qido": {
                    "sop_class": value(i, "00080016"),
                    "number": value(i, "00200013"),
                    "rows": value(i, "00280010"),
                    "columns": value(i, "00280011"),
                    "frames": value(i, "00280008"),
                },
                "sop_uid": ds.SOPInstanceUID,
                "series_uid": ds.SeriesInstanceUID,
                "study_uid": ds.StudyInstanceUID,
                "transfer_syntax": str(ds.file_meta.TransferSyntaxUID),
                "reference_transfer_syntax": str(reference.file_meta.TransferSyntaxUID),
                "pixel_data_equal": ds.PixelData == reference.PixelData,
                "plain_pixel_data_equal": plain.PixelData == reference.PixelData,
                "pixel_bytes": len(ds.PixelData),
                "explicit_le_status": explicit_le,
            }

    metadata = client.retrieve_study_metadata(uid)
    seen.append(json.dumps(metadata))
    # Bulk data stays a link here (frame_facts fetches it).
    parsed = [
        pydicom.Dataset.from_json(m, bulk_data_uri_handler=lambda tag, vr, uri: None)
        for m in metadata
    ]
    facts.setdefault("metadata", {})[uid] = [
        {
            "sop_uid": ds.SOPInstanceUID,
            "patient_id": ds.PatientID,
            "rows": ds.Rows,
            "frames": int(ds.NumberOfFrames),
            "transfer_syntax": value(m, "00020010"),
            "pixel_data_uri": m.get("7FE00010", {}).get("BulkDataURI"),
            "inline_pixel_data": "Value" in m.get("7FE00010", {})
            or "InlineBinary" in m.get("7FE00010", {}),
        }
        for ds, m in zip(parsed, metadata)
    ]

    first_series = facts["series"][uid][0]["uid"]
    series_sets = client.retrieve_series(
        uid, first_series, media_types=(("application/dicom", "*"),)
    )
    facts.setdefault("series_retrieved", {})[first_series] = sorted(
        ds.SOPInstanceUID for ds in series_sets
    )
    series_metadata = client.retrieve_series_metadata(uid, first_series)
    facts.setdefault("series_metadata", {})[first_series] = len(series_metadata)
    study_sets = client.retrieve_study(uid, media_types=(("application/dicom", "*"),))
    facts.setdefault("study_retrieved", {})[uid] = sorted(
        ds.SOPInstanceUID for ds in study_sets
    )
    series_rendered = Image.open(
        io.BytesIO(
            client.retrieve_series_rendered(
                uid, first_series, media_types=("image/jpeg",), params={"viewport": "160,160"}
            )
        )
    )
    facts.setdefault("series_rendered", {})[first_series] = {
        "format": series_rendered.format,
        "size": list(series_rendered.size),
    }


def frame_facts(study_uid, series_uid, sop):
    """Frames, rendered images and the pixel data link, as viewers fetch them."""
    reference = pydicom.dcmread(os.path.join(config["reference_dir"], sop + ".dcm"))
    count = int(reference.NumberOfFrames)
    stored = list(pydicom.encaps.generate_frames(reference.PixelData, number_of_frames=count))
    own_type = {"1.2.840.10008.1.2.5": "image/dicom-rle"}.get(
        str(reference.file_meta.TransferSyntaxUID), "image/jpeg"
    )

    def frames(numbers, media_types=None):
        return client.retrieve_instance_frames(
            study_uid, series_uid, sop, numbers, media_types=media_types
        )

    default = frames([1, 2])
    as_stored = frames([2, 4], (("application/octet-stream", "*"),))
    own = frames([3], (own_type,))
    decoded = frames([1, 3], (("application/octet-stream", "1.2.840.10008.1.2.1"),))
    expected = reference.pixel_array  # frames × rows × columns × 3, RGB
    differences = [
        float(
            numpy.abs(
                numpy.frombuffer(d, numpy.uint8).astype(int)
                - expected[n].reshape(-1).astype(int)
            ).mean()
        )
        for d, n in zip(decoded, [0, 2])
    ]

    def image(data):
        picture = Image.open(io.BytesIO(data))
        return {"format": picture.format, "size": list(picture.size)}

    rendered = client.retrieve_instance_rendered(
        study_uid, series_uid, sop, media_types=("image/jpeg",)
    )
    small_png = client.retrieve_instance_rendered(
        study_uid, series_uid, sop, media_types=("image/png",), params={"viewport": "64,64"}
    )
    frame_rendered = client.retrieve_instance_frames_rendered(
        study_uid, series_uid, sop, [2], media_types=("image/png",)
    )
    instance_url = f"{config['url']}/studies/{study_uid}/series/{series_uid}/instances/{sop}/"
    metadata = client.retrieve_instance_metadata(study_uid, series_uid, sop)
    seen.append(json.dumps(metadata))
    link = urljoin(instance_url + "metadata", metadata["7FE00010"]["BulkDataURI"])
    linked = client.retrieve_bulkdata(link, media_types=(("application/octet-stream", "*"),))
    return {
        "stored_frames": len(stored),
        "default_lengths": [len(f) for f in default],
        "default_is_stored": default == stored[:2],
        "as_stored_equal": as_stored == [stored[1], stored[3]],
        "own_type": own_type,
        "own_type_equal": own == [stored[2]],
        "decoded_lengths": [len(f) for f in decoded],
        "decoded_mean_difference": max(differences),
        "rendered": image(rendered),
        "small_png": image(small_png),
        "frame_rendered": image(frame_rendered),
        "pixel_data_link": link,
        "linked_equal": linked == stored,
    }


facts["frames"] = {}
for study in facts["studies"]:
    for s in facts["series"][study["uid"]]:
        for i in client.search_for_instances(
            study_instance_uid=study["uid"], series_instance_uid=s["uid"]
        ):
            sop = value(i, "00080018")
            facts["frames"][sop] = frame_facts(study["uid"], s["uid"], sop)

try:
    client.search_for_series(study_instance_uid="2.25.1")
    facts["unknown_study"] = 200
except requests.HTTPError as e:
    facts["unknown_study"] = e.response.status_code

everything = "\n".join(seen)
facts["leaks"] = [word for word in config["forbidden"] if word in everything]
facts["seen_bytes"] = len(everything)
print(json.dumps(facts))
