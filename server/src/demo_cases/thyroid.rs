//! Thyroid demo cases: one nodule per ACR TI-RADS lesson (TR1 to TR5), a follicular neoplasm
//! whose ultrasound call the tissue overturned, a thyroiditis pseudo-nodule that must not be
//! scored and a multinodular goitre with a level per nodule.
use super::{
    DemoCase, Post, Step, arrow, blank, clip, fna, guess_choice, guess_tirads, label, outcome,
    point, ring, say, tags, tissue,
};
use model::cases::{Call, CaseContent, FollowUpKind};
use model::scores::{
    Composition, EchogenicFoci, Echogenicity, Finding, Lobe, Margin, NoduleShape, ThyroidNodule,
};
use model::{AgeBand, Difficulty, Sex};

/// One scored nodule.
#[allow(clippy::too_many_arguments)]
fn nodule(
    label: &str,
    lobe: Lobe,
    size_mm: f64,
    composition: Composition,
    echogenicity: Echogenicity,
    shape: NoduleShape,
    margin: Margin,
    foci: &[EchogenicFoci],
) -> Finding {
    Finding::ThyroidNodule(ThyroidNodule {
        label: label.to_string(),
        lobe,
        size_mm,
        composition,
        echogenicity,
        shape,
        margin,
        foci: foci.to_vec(),
    })
}

pub(super) fn cases() -> Vec<DemoCase> {
    vec![
        papillary_carcinoma(),
        benign_follicular_nodule(),
        spongiform(),
        follicular_neoplasm(),
        thyroiditis_pseudo_nodule(),
        multinodular_goitre(),
    ]
}

/// TR5 with FNA and surgery: the library's reference malignant nodule and its busiest thread.
fn papillary_carcinoma() -> DemoCase {
    let content = CaseContent {
        title: "右叶 TR5 实性极低回声结节：甲状腺乳头状癌伴中央区淋巴结转移".into(),
        age_band: AgeBand::A40,
        sex: Sex::Female,
        history: "女，40余岁。单位体检发现甲状腺结节，无颈部不适，无声音嘶哑及吞咽困难。\
            无头颈部放射线暴露史；母亲曾行“甲状腺结节”手术（病理不详）。甲状腺功能正常。\
            东湖街道社区卫生服务中心超声检查后经远程会诊转诊至区中心医院。"
            .into(),
        findings: "甲状腺大小正常，实质回声均匀。右叶中下部近背侧见一实性结节，纵切面最大径 14 mm；\
            横切面前后径 12 mm、左右径 10 mm，纵横比 > 1。结节呈极低回声（低于颈前带状肌），\
            边缘不规则，呈毛刺状；内见多发点状强回声，直径 < 1 mm，后方无彗星尾。\
            CDFI：结节内见少许穿支血流。结节紧邻背侧被膜，被膜连续。\n\n\
            右侧 VI 区（气管旁）见一枚 6 mm 淋巴结，呈圆形，淋巴门消失，内见点状强回声。\
            左叶及峡部未见明显结节。"
            .into(),
        impression: "右叶实性结节，ACR TI-RADS 5 类（实性 2 + 极低回声 3 + 纵横比 > 1 3 + 边缘不规则 2 \
            + 点状强回声 3 = 13 分），C-TIRADS 5 类。最大径 14 mm ≥ 10 mm，建议超声引导下细针穿刺（FNA）。\
            右侧 VI 区淋巴结可疑转移，建议同时穿刺并送洗脱液甲状腺球蛋白（Tg）。"
            .into(),
        impression_call: Some(Call::Malignant),
        diagnosis: "甲状腺乳头状癌（经典型）伴中央区淋巴结转移".into(),
        differential: "- **甲状腺髓样癌**：亦可呈实性低回声伴钙化，但钙化多较粗大；术前查血清降钙素。\n\
            - **亚急性甲状腺炎的片状低回声**：边界模糊、无占位效应，伴颈痛、血沉增快，随访可缩小。\n\
            - **结节性甲状腺肿内的纤维化结节**：多为粗大或蛋壳样钙化，纵横比 < 1。"
            .into(),
        teaching_points: "1. **五项特征逐项计分**：实性 2 + 极低回声 3 + 纵横比 > 1 3 + 边缘不规则 2 + \
            点状强回声 3 = 13 分，≥ 7 分即为 **TR5**。\n\
            2. **纵横比在横切面上测量**：前后径大于左右径才计分，纵切面不能替代。\n\
            3. TR5 结节 **≥ 10 mm 建议 FNA**，5–9 mm 建议随访；本例 14 mm 应穿刺。\n\
            4. 点状强回声要与**彗星尾伪像**（浓缩胶质，0 分）鉴别：后者后方有逐渐变窄的 V 形拖尾，多见于囊性部分。\n\
            5. 发现可疑结节后**常规扫查 VI 区及侧颈部淋巴结**：圆形、淋巴门消失、微钙化、囊性变、周边血流提示转移。"
            .into(),
        difficulty: Difficulty::Intermediate,
        tags: tags(&[
            "甲状腺乳头状癌",
            "papillary carcinoma",
            "TR5",
            "微钙化",
            "microcalcification",
            "淋巴结转移",
            "lymph node",
        ]),
        scores: vec![nodule(
            "右叶中下部结节",
            Lobe::Right,
            14.0,
            Composition::Solid,
            Echogenicity::VeryHypo,
            NoduleShape::TallerThanWide,
            Margin::Irregular,
            &[EchogenicFoci::Punctate],
        )],
        clips: vec![
            clip(
                "右叶横切面：实性极低回声结节，纵横比 > 1，内见点状强回声",
                &[6, 14],
                vec![
                    ring((300.0, 205.0), 38.0, 48.0, (0, 27)),
                    arrow((440.0, 120.0), (318.0, 192.0), (10, 20)),
                    label((452.0, 100.0), "点状强回声", (10, 20)),
                ],
            ),
            clip(
                "右叶纵切面：最大径 14 mm，边缘毛刺状",
                &[8],
                vec![
                    ring((315.0, 215.0), 52.0, 40.0, (0, 23)),
                    arrow((170.0, 150.0), (265.0, 200.0), (4, 16)),
                    label((90.0, 125.0), "毛刺状边缘", (4, 16)),
                ],
            ),
        ],
        ..blank("thyroid")
    };
    DemoCase {
        exam: 5,
        author: "chen.jing",
        site: "DH",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            fna(
                9,
                6,
                "超声引导下 FNA（25G，结节 3 针、VI 区淋巴结 2 针）。细胞学：Bethesda VI 类，\
                 符合甲状腺乳头状癌（核沟、核内假包涵体、毛玻璃样核）。淋巴结洗脱液 Tg > 500 ng/mL。",
            ),
            tissue(
                FollowUpKind::Histopathology,
                35,
                Some(true),
                "右叶及峡部切除 + 右侧中央区淋巴结清扫。病理：甲状腺乳头状癌（经典型），最大径 1.3 cm，\
                 未见腺外侵犯；中央区淋巴结 2/6 枚见转移（最大转移灶 4 mm）。BRAF V600E 突变阳性。",
            ),
            Step::Comment(point(
                "li.na",
                "陈老师好！这一帧结节里的几个亮点，我们中心的机器上也经常看到，但分不清是微钙化还是彗星尾。\
                 我们社区当时报的是 TR4，请问怎么区分？",
                0,
                14,
            )),
            Step::Comment(Post {
                marked_by: Some("wang.lei"),
                ..point(
                    "chen.jing",
                    "看纵切面这一帧：这些强回声点直径 < 1 mm，后方没有逐渐变窄的“尾巴”，而且位于实性组织内部，\
                     是点状强回声（微钙化），每个结节计 3 分。彗星尾伪像多出现在囊性或海绵状区域，后方有明亮的 \
                     V 形拖尾，计 0 分。拿不准时降低增益、局部放大，尾巴会更明显。\n\n\
                     另外，本例即使不算这 3 分，实性 + 极低回声 + 纵横比 > 1 + 边缘不规则已有 10 分，仍然是 TR5。\
                     社区报 TR4，多半是把“极低回声”当成了“低回声”：和颈前带状肌比一比就清楚了。",
                    1,
                    8,
                )
            }),
            say(
                "zhang.wei",
                "补充请教：我们中心的便携机只有 7.5 MHz 线阵探头，点状强回声经常显示不清，这种情况报告怎么写比较稳妥？",
            ),
            say(
                "chen.jing",
                "如实写“未见明确点状强回声”，按看得到的特征计分。如果其他特征已经达到 TR4/TR5，就按相应的大小阈值建议穿刺或转诊，\
                 不要因为设备限制而降低级别；必要时预约到中心医院复查。",
            ),
            guess_tirads("li.na", "右叶实性低回声结节，边缘不规则，TR4，建议穿刺", 4),
            guess_tirads(
                "zhang.wei",
                "右叶实性极低回声结节，纵横比 > 1，伴微钙化，TR5，建议 FNA",
                5,
            ),
        ],
    }
}

/// TR3 above its FNA threshold, benign on cytology: the reassuring counterpart to the TR5.
fn benign_follicular_nodule() -> DemoCase {
    let content = CaseContent {
        title: "Large isoechoic solid nodule, TR3: benign follicular nodule (Bethesda II)".into(),
        age_band: AgeBand::A50,
        sex: Sex::Female,
        history: "Woman in her fifties referred from Xicheng community centre after her daughter noticed \
            a swelling low in the neck. No compressive symptoms, no change in voice. Euthyroid (TSH \
            1.8 mIU/L). No radiation exposure, no family history of thyroid cancer."
            .into(),
        findings: "Left lobe, lower pole: a solid, isoechoic, oval nodule of 28 × 19 × 17 mm, wider than \
            tall on the transverse image, with a smooth margin and a thin, regular hypoechoic halo. No \
            echogenic foci. Colour Doppler shows peripheral (rim) vascularity with little internal flow. \
            The right lobe contains two colloid cysts under 5 mm. No abnormal cervical lymph nodes."
            .into(),
        impression: "Left lower-pole nodule, ACR TI-RADS 3 (solid 2 + isoechoic 1 = 3 points). At 28 mm it \
            reaches the 25 mm FNA threshold for TR3: ultrasound-guided FNA recommended. Probably benign."
            .into(),
        impression_call: Some(Call::Benign),
        diagnosis: "Benign follicular nodule (nodular hyperplasia), Bethesda II".into(),
        differential: "- **Follicular adenoma or carcinoma** cannot be told apart on ultrasound; a thick, \
            irregular halo, a capsular bulge or chaotic internal vessels would raise concern.\n\
            - **Parathyroid adenoma**: lies behind the thyroid, outside its capsule, with a polar feeding \
            artery — not the case here."
            .into(),
        teaching_points: "- **Score every category**, even when a nodule \"looks benign\": solid (2) + \
            isoechoic (1) + wider-than-tall (0) + smooth margin (0) + no foci (0) = **3 points, TR3**.\n\
            - The **size thresholds depend on the level**: TR3 → FNA from **25 mm**, follow-up from 15 mm. \
            Use the maximum diameter in any plane.\n\
            - A thin regular **halo** and **rim vascularity** are common in benign follicular nodules; they \
            add no points in ACR TI-RADS.\n\
            - **Bethesda II** carries a malignancy risk of about 0–3 %: repeat ultrasound in 12–24 months \
            rather than surgery, unless the nodule causes symptoms."
            .into(),
        difficulty: Difficulty::Basic,
        tags: tags(&[
            "结节性甲状腺肿",
            "nodular goitre",
            "TR3",
            "FNA",
            "Bethesda II",
            "良性",
            "benign",
        ]),
        scores: vec![nodule(
            "Left lower pole",
            Lobe::Left,
            28.0,
            Composition::Solid,
            Echogenicity::HyperIso,
            NoduleShape::WiderThanTall,
            Margin::Smooth,
            &[],
        )],
        clips: vec![clip(
            "Left lobe, transverse: solid isoechoic nodule with a thin regular halo",
            &[5, 16],
            vec![
                ring((320.0, 235.0), 72.0, 46.0, (0, 23)),
                arrow((470.0, 310.0), (388.0, 252.0), (8, 20)),
                label((470.0, 318.0), "halo", (8, 20)),
            ],
        )],
        ..blank("thyroid")
    };
    DemoCase {
        exam: 6,
        author: "wang.lei",
        site: "XC",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            fna(
                14,
                2,
                "US-guided FNA, 25G, two passes. Cytology: Bethesda II, benign follicular nodule \
                 (abundant colloid, bland follicular cells in macrofollicles).",
            ),
            outcome(
                FollowUpKind::Imaging,
                380,
                Some(true),
                "Ultrasound at 12 months: 29 × 19 × 18 mm, same appearance, still TR3. Next scan in two years.",
            ),
            guess_tirads(
                "liu.yang",
                "Solid isoechoic nodule, smooth margin, TR3; FNA because > 25 mm",
                3,
            ),
        ],
    }
}

/// TR1: the community over-call that consultation turned into no procedure at all.
fn spongiform() -> DemoCase {
    let content = CaseContent {
        title: "海绵状结节：TR1，不需要穿刺".into(),
        age_band: AgeBand::A30,
        sex: Sex::Male,
        history: "男，30余岁。社区慢病管理体检行颈部超声发现左叶结节，无不适，甲状腺功能正常。\
            南门街道社区卫生服务中心报告“左叶混合回声结节伴点状强回声，建议穿刺”，患者焦虑，申请远程会诊。"
            .into(),
        findings: "左叶中部见一结节，大小约 18 × 12 × 11 mm，宽大于高，边界清，形态规则。结节由大量微小囊腔\
            聚集而成，囊腔占结节体积 50% 以上，呈海绵状；囊腔间分隔纤细，部分囊腔后壁见点状强回声，\
            后方伴短小彗星尾。CDFI：分隔上见少许点状血流。右叶及峡部未见结节。"
            .into(),
        impression: "左叶海绵状结节，ACR TI-RADS 1 类（0 分），C-TIRADS 2 类。无需细针穿刺，亦无需专门随访，\
            下次常规体检时复查即可。"
            .into(),
        impression_call: Some(Call::Benign),
        diagnosis: "良性海绵状（胶质）结节".into(),
        differential: "- **含微钙化的实性结节**：强回声点位于实性组织内、后方无彗星尾。\n\
            - **囊实混合性结节**：实性部分成片或偏心分布时不能称为海绵状，应按混合性计分。"
            .into(),
        teaching_points: "- **海绵状 = 微小囊腔占结节体积 50% 以上**，直接计 0 分，**其他特征不再加分**。\n\
            - 囊腔后壁的亮点常被误读为“微钙化”：看后方有没有**彗星尾**、亮点是否贴在囊壁上。\n\
            - 只有局部海绵样、其余为实性的结节**不能**归为海绵状。\n\
            - 正确识别 TR1 可以**避免不必要的穿刺**和患者焦虑——这正是社区转诊会诊的价值。"
            .into(),
        difficulty: Difficulty::Basic,
        tags: tags(&["海绵状结节", "spongiform", "TR1", "彗星尾", "comet-tail", "避免过度诊断"]),
        scores: vec![nodule(
            "左叶中部结节",
            Lobe::Left,
            18.0,
            Composition::Spongiform,
            Echogenicity::HyperIso,
            NoduleShape::WiderThanTall,
            Margin::Smooth,
            &[EchogenicFoci::CometTail],
        )],
        clips: vec![clip(
            "左叶横切面：微小囊腔聚集呈海绵状，囊壁强回声伴彗星尾",
            &[10],
            vec![
                ring((320.0, 240.0), 62.0, 40.0, (0, 23)),
                arrow((460.0, 160.0), (352.0, 228.0), (6, 18)),
                label((440.0, 130.0), "彗星尾", (6, 18)),
            ],
        )],
        ..blank("thyroid")
    };
    DemoCase {
        exam: 7,
        author: "chen.jing",
        site: "NM",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            guess_tirads("zhang.wei", "左叶混合回声结节伴点状强回声，TR4", 4),
        ],
    }
}

/// TR4, Bethesda IV, called malignant, benign on tissue: a review round and a discordance.
fn follicular_neoplasm() -> DemoCase {
    let content = CaseContent {
        title: "TR4 实性低回声结节，Bethesda IV：滤泡性腺瘤（超声判断与病理不符）".into(),
        age_band: AgeBand::A30,
        sex: Sex::Female,
        history: "女，30余岁。自觉右颈部包块 2 个月，无疼痛、无声嘶。TSH 1.2 mIU/L，甲状腺球蛋白 410 ng/mL。\
            北关街道社区卫生服务中心首诊超声后转诊。"
            .into(),
        findings: "右叶见一实性低回声结节，大小约 32 mm，宽大于高，边缘光整，周边见厚薄不均的低回声晕\
            （最厚约 2 mm）。内部回声欠均匀，未见点状强回声及粗大钙化。CDFI：结节内部及周边血流丰富，\
            以内部穿支血流为主。颈部未见肿大淋巴结。"
            .into(),
        impression: "右叶实性低回声结节，ACR TI-RADS 4 类，考虑滤泡癌，建议穿刺。".into(),
        impression_call: Some(Call::Malignant),
        diagnosis: "滤泡性腺瘤（Bethesda IV，右叶切除术后病理）".into(),
        teaching_points: "1. 本例 ACR 计分：实性 2 + 低回声 2 = **4 分，TR4**；≥ 15 mm 建议 FNA。\n\
            2. **Bethesda IV（滤泡性肿瘤）** 的恶性风险约 10–40%，通常行诊断性腺叶切除或分子检测。\n\
            3. **厚而不均的声晕、内部丰富血流**提示滤泡性肿瘤，但**不是恶性的可靠征象**。"
            .into(),
        difficulty: Difficulty::Advanced,
        tags: tags(&[
            "滤泡性肿瘤",
            "follicular neoplasm",
            "TR4",
            "Bethesda IV",
            "声晕",
            "halo",
            "超声病理不符",
            "discordant",
        ]),
        scores: vec![nodule(
            "右叶结节",
            Lobe::Right,
            32.0,
            Composition::Solid,
            Echogenicity::Hypo,
            NoduleShape::WiderThanTall,
            Margin::Smooth,
            &[],
        )],
        clips: vec![clip(
            "右叶纵切面：实性低回声结节，周边厚薄不均的声晕",
            &[4, 18],
            vec![
                ring((320.0, 250.0), 86.0, 60.0, (0, 25)),
                arrow((480.0, 175.0), (396.0, 214.0), (2, 22)),
                label((440.0, 140.0), "厚声晕", (2, 22)),
            ],
        )],
        ..blank("thyroid")
    };
    DemoCase {
        exam: 8,
        author: "chen.jing",
        site: "BG",
        content,
        story: vec![
            Step::Submit,
            Step::RequestChanges(
                "陈老师，病例很有教学价值，发布前请修改三处：\n\
                 1. 印象写“考虑滤泡癌”过于肯定——超声无法区分滤泡性腺瘤与滤泡癌。建议写明计分依据，\
                 表述为“滤泡性肿瘤，恶性不能除外”；“恶性”的判断可以保留，正好体现后面的病理不符。\n\
                 2. 请补全结节三径，并补充鉴别诊断（含 NIFTP/乳头状癌滤泡亚型）。\n\
                 3. 教学要点请加一条：包膜/血管侵犯只能由手术病理判断。",
            ),
            Step::Edit(|c| {
                c.findings = c
                    .findings
                    .replace("大小约 32 mm", "大小约 32 × 24 × 22 mm")
                    .replace(
                        "以内部穿支血流为主。",
                        "以内部穿支血流为主（Adler III 级）。",
                    );
                c.impression = "右叶实性低回声结节，ACR TI-RADS 4 类（实性 2 + 低回声 2 = 4 分），C-TIRADS 4A 类。\
                    最大径 32 mm ≥ 15 mm，建议 FNA。结合厚而不均的声晕与丰富的内部血流，超声倾向滤泡性肿瘤，\
                    恶性（滤泡癌）不能除外。"
                    .into();
                c.differential = "- **滤泡癌**：与腺瘤的区别在于包膜或血管侵犯，只能在切除标本上判断，细胞学和超声均不能区分。\n\
                    - **乳头状癌滤泡亚型 / NIFTP**：可呈等或低回声、边缘光整，细胞学常为 Bethesda III–V。\n\
                    - **腺瘤样结节（结节性甲状腺肿）**：常多发，内部可见囊性变。"
                    .into();
                c.teaching_points.push_str(
                    "\n4. **超声和细针穿刺都无法区分滤泡性腺瘤与滤泡癌**：依据是包膜/血管侵犯，只有手术病理能给出。\
                     本例超声倾向恶性、病理为良性，是典型的“不符”病例——不要因此否定穿刺和手术的指征。",
                );
            }),
            Step::Submit,
            Step::ReviewNote("修改后表述准确，鉴别诊断完整，同意发布。"),
            Step::Publish,
            fna(
                12,
                4,
                "超声引导下 FNA（25G，3 针）。细胞学：Bethesda IV 类，滤泡性肿瘤（微滤泡结构为主，胶质稀少）。",
            ),
            tissue(
                FollowUpKind::Surgery,
                41,
                None,
                "经甲状腺外科讨论行右叶 + 峡部切除术，术中冰冻：滤泡性肿瘤，待石蜡切片。术后无声嘶及低钙。",
            ),
            tissue(
                FollowUpKind::Histopathology,
                45,
                Some(false),
                "石蜡病理：滤泡性腺瘤，包膜完整，多处取材未见包膜及血管侵犯。",
            ),
        ],
    }
}

/// No nodule at all: the unknown case asks whether to score it, so it carries choices.
fn thyroiditis_pseudo_nodule() -> DemoCase {
    let content = CaseContent {
        title: "Hashimoto thyroiditis with a pseudo-nodule: do not score it".into(),
        age_band: AgeBand::A18,
        sex: Sex::Female,
        history: "Woman in her twenties seen at Jiangbin community centre for tiredness and weight gain. \
            TSH 8.6 mIU/L, free T4 at the lower limit of normal, anti-TPO antibodies 620 IU/mL. A community \
            scan reported a \"12 mm hypoechoic nodule, TR4\" in the right lobe and she was referred for FNA."
            .into(),
        findings: "Both lobes are diffusely enlarged (right lobe 22 mm anteroposterior) with a coarse, \
            heterogeneous, micronodular echotexture and multiple thin echogenic fibrous septa. In the right \
            lobe an ill-defined hypoechoic area of 12 × 9 mm is seen on the transverse view only; on the \
            longitudinal view it blends into the surrounding parenchyma without a margin or mass effect, and \
            the septa run through it uninterrupted. No echogenic foci. Colour Doppler: diffusely increased \
            parenchymal flow, no focal pattern. Oval level VI lymph nodes with preserved fatty hila."
            .into(),
        impression: "Diffuse thyroiditis, in keeping with Hashimoto thyroiditis. The right-lobe \"nodule\" is \
            a pseudo-nodule (focal lymphocytic infiltration) seen in one plane only and is not given a \
            TI-RADS level. No FNA; repeat ultrasound in 3–6 months."
            .into(),
        impression_call: Some(Call::Benign),
        diagnosis: "Hashimoto (chronic lymphocytic) thyroiditis with a pseudo-nodule".into(),
        differential: "- **True nodule within thyroiditis**: seen in two planes, has a margin and displaces \
            the septa; score it as any other nodule.\n\
            - **Primary thyroid lymphoma**: a rapidly enlarging, markedly hypoechoic mass with posterior \
            enhancement, usually in an older patient with long-standing Hashimoto disease.\n\
            - **Subacute (de Quervain) thyroiditis**: painful, ill-defined hypoechoic areas with a raised ESR."
            .into(),
        teaching_points: "- A **nodule must be seen in two orthogonal planes** and have a margin; an area \
            that blends away on the longitudinal view is a **pseudo-nodule**.\n\
            - In Hashimoto thyroiditis, look for **septa passing through** the area and the same echotexture \
            elsewhere in the gland.\n\
            - **Do not apply TI-RADS to a pseudo-nodule**: scored, this one would have been TR4 (solid, \
            hypoechoic) and led to a needless FNA.\n\
            - Read the **labs**: raised TSH and anti-TPO support the diagnosis; follow-up imaging, not FNA, \
            settles it."
            .into(),
        difficulty: Difficulty::Intermediate,
        tags: tags(&["桥本甲状腺炎", "Hashimoto", "假结节", "pseudo-nodule", "thyroiditis"]),
        clips: vec![clip(
            "Right lobe, transverse: heterogeneous gland with fibrous septa and an ill-defined hypoechoic area",
            &[6, 15],
            vec![
                ring((330.0, 232.0), 46.0, 34.0, (0, 23)),
                arrow((470.0, 320.0), (362.0, 250.0), (8, 20)),
                label((470.0, 328.0), "septa", (8, 20)),
            ],
        )],
        choices: vec![
            "Pseudo-nodule in Hashimoto thyroiditis: no TI-RADS level, no FNA".into(),
            "Solid hypoechoic nodule, TR4: FNA".into(),
            "Subacute (de Quervain) thyroiditis".into(),
            "Primary thyroid lymphoma".into(),
        ],
        answer: Some(0),
        ..blank("thyroid")
    };
    DemoCase {
        exam: 9,
        author: "wang.lei",
        site: "JB",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Clinical,
                5,
                Some(true),
                "Endocrinology: anti-TPO and anti-thyroglobulin antibodies strongly positive; Hashimoto \
                 thyroiditis with subclinical hypothyroidism. Levothyroxine 50 µg daily started; FNA cancelled.",
            ),
            outcome(
                FollowUpKind::Imaging,
                120,
                Some(true),
                "Repeat ultrasound: the hypoechoic area in the right lobe is no longer seen; diffuse \
                 thyroiditis pattern unchanged.",
            ),
            guess_choice(
                "li.na",
                "Solid hypoechoic nodule in the right lobe, TR4, FNA",
                1,
            ),
        ],
    }
}

/// Three nodules, three levels: left waiting in review for the second expert.
fn multinodular_goitre() -> DemoCase {
    let content = CaseContent {
        title: "结节性甲状腺肿：同一患者三个结节，逐个计分".into(),
        age_band: AgeBand::A60,
        sex: Sex::Female,
        history: "女，60余岁。颈部增粗 10 余年，近半年偶有吞咽异物感。甲状腺功能正常，无甲状腺癌家族史。\
            桥东街道社区卫生服务中心超声提示“甲状腺多发结节”，转诊评估是否需要穿刺。"
            .into(),
        findings: "甲状腺双叶增大，实质回声不均。\n\
            - **结节 A**（左叶中部）：35 × 24 × 22 mm，囊实混合性，实性部分呈等回声，宽大于高，边缘光整，\
            囊性部分内见多个彗星尾伪像。\n\
            - **结节 B**（右叶下极）：16 × 12 × 11 mm，实性，低回声，宽大于高，边界模糊，内见一处粗大钙化伴后方声影。\n\
            - **结节 C**（右叶上极）：8 mm 无回声囊肿，后方回声增强。\n\n\
            气管居中，双侧颈部未见异常淋巴结。"
            .into(),
        impression: "结节性甲状腺肿，三个结节分别计分：\n\
            - 结节 A：TR2（囊实混合 1 + 等回声 1 = 2 分），无需穿刺。\n\
            - 结节 B：TR4（实性 2 + 低回声 2 + 粗大钙化 1 = 5 分），16 mm ≥ 15 mm，建议 FNA。\n\
            - 结节 C：囊肿，TR1。\n\
            吞咽异物感与结节 A 体积较大有关，可请甲状腺外科评估。"
            .into(),
        impression_call: Some(Call::Benign),
        diagnosis: "结节性甲状腺肿（多发结节），结节 B 待穿刺".into(),
        differential: "- 结节 B 需排除**滤泡性肿瘤**或**乳头状癌**：边界模糊在 ACR 中不计分，但在 C-TIRADS 中计 1 分。"
            .into(),
        teaching_points: "- **多发结节要逐个计分**，并按各自的**级别和大小**给出建议，不能只看最大的一个。\n\
            - ACR 建议随访时最多报告**计分最高的 4 个结节**。\n\
            - **粗大钙化**（伴声影）计 1 分；**彗星尾伪像**计 0 分。\n\
            - “边界模糊”在 ACR TI-RADS 中计 0 分，在 **C-TIRADS** 中算一项可疑特征：两套体系分别记录，不要混用。"
            .into(),
        difficulty: Difficulty::Intermediate,
        tags: tags(&[
            "结节性甲状腺肿",
            "multinodular goitre",
            "多发结节",
            "TR4",
            "粗大钙化",
            "macrocalcification",
        ]),
        scores: vec![
            nodule(
                "结节 A（左叶中部）",
                Lobe::Left,
                35.0,
                Composition::Mixed,
                Echogenicity::HyperIso,
                NoduleShape::WiderThanTall,
                Margin::Smooth,
                &[EchogenicFoci::CometTail],
            ),
            nodule(
                "结节 B（右叶下极）",
                Lobe::Right,
                16.0,
                Composition::Solid,
                Echogenicity::Hypo,
                NoduleShape::WiderThanTall,
                Margin::IllDefined,
                &[EchogenicFoci::Macro],
            ),
            nodule(
                "结节 C（右叶上极）",
                Lobe::Right,
                8.0,
                Composition::Cystic,
                Echogenicity::Anechoic,
                NoduleShape::WiderThanTall,
                Margin::Smooth,
                &[],
            ),
        ],
        clips: vec![clip(
            "甲状腺横切面：左叶囊实混合结节（A）与右叶下极实性低回声结节（B）",
            &[5, 17],
            vec![
                ring((262.0, 232.0), 54.0, 40.0, (0, 25)),
                ring((400.0, 262.0), 30.0, 24.0, (0, 25)),
                label((170.0, 110.0), "A：TR2　B：TR4", (0, 25)),
            ],
        )],
        ..blank("thyroid")
    };
    DemoCase {
        exam: 10,
        author: "chen.jing",
        site: "QD",
        content,
        story: vec![Step::Submit],
    }
}
