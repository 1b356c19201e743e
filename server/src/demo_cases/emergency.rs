//! Emergency point-of-care demo cases (eFAST, lung, focused cardiac, aorta, leg veins). None of
//! them has a TI-RADS level or a stenosis grade, so each carries unknown-case choices.
use super::{
    DemoCase, Post, Step, arrow, blank, clip, guess_choice, label, outcome, point, ring, say, tags,
};
use model::cases::{CaseContent, FollowUpKind};
use model::{AgeBand, Difficulty, Sex};

pub(super) fn cases() -> Vec<DemoCase> {
    vec![
        efast_positive(),
        pneumothorax(),
        tamponade(),
        aortic_aneurysm(),
        femoral_dvt(),
    ]
}

/// A community doctor's eFAST before transfer, confirmed in theatre.
fn efast_positive() -> DemoCase {
    let content = CaseContent {
        title: "eFAST 阳性：肝肾隐窝游离液体，脾破裂".into(),
        age_band: AgeBand::A18,
        sex: Sex::Male,
        history: "男，20余岁。驾驶摩托车与货车相撞，伤后 40 分钟送至青山街道社区卫生服务中心。神志清，诉左上腹痛。\
            心率 128 次/分，血压 86/52 mmHg，左侧第 9–10 肋压痛。中心全科医生在等待转运时完成 eFAST。"
            .into(),
        findings: "右上腹（肝肾隐窝）：肝脏与右肾之间见条带状无回声区，最宽约 8 mm，延伸至肝下缘。\
            左上腹：脾周见少量无回声，脾下极实质回声不均。盆腔：膀胱直肠陷凹见少量无回声。\
            剑突下：未见心包积液。双侧前胸壁：肺滑动征存在，未见气胸征象。"
            .into(),
        impression: "eFAST 阳性：腹腔游离液体（肝肾隐窝、脾周、盆腔），结合低血压与左上腹外伤，高度怀疑脾破裂、\
            腹腔内出血。心包及双侧胸腔阴性。立即转运至有手术条件的医院，提前通知外科。"
            .into(),
        diagnosis: "脾破裂（AAST IV 级）伴腹腔积血".into(),
        differential: "- **肾周血肿（腹膜后出血）**：液体局限于肾周脂肪囊内，不进入肝肾隐窝。\n\
            - **肾周脂肪或肠管误认为液体**：调整深度和增益；液体为无回声，形态随呼吸和体位改变。"
            .into(),
        teaching_points: "1. **肝肾隐窝是仰卧位上腹部最低的间隙**，扫查时一定要包括**肝下缘**——少量积液常先出现在那里。\n\
            2. **血流动力学不稳定 + eFAST 阳性**：直接送手术，不要为做 CT 耽误时间。\n\
            3. eFAST **阴性不能排除**实质脏器损伤或腹膜后出血，临床怀疑时应**重复检查**。\n\
            4. 社区首诊完成 eFAST 后，用**结构化报告**交接（哪个切面阳性、液体多少），能缩短上级医院的决策时间。"
            .into(),
        difficulty: Difficulty::Intermediate,
        tags: tags(&[
            "eFAST",
            "创伤",
            "trauma",
            "腹腔积血",
            "haemoperitoneum",
            "脾破裂",
            "splenic injury",
        ]),
        clips: vec![clip(
            "右上腹冠状切面：肝肾隐窝条带状无回声（游离液体）",
            &[8, 20],
            vec![
                ring((320.0, 287.0), 92.0, 22.0, (0, 29)),
                arrow((470.0, 200.0), (380.0, 272.0), (4, 26)),
                label((440.0, 170.0), "肝肾隐窝积液", (4, 26)),
            ],
        )],
        choices: vec![
            "腹腔游离液体（eFAST 阳性），提示腹腔内出血".into(),
            "肾周血肿（腹膜后出血），腹腔阴性".into(),
            "正常表现：肾周脂肪误认为液体".into(),
            "胆囊周围积液".into(),
        ],
        answer: Some(0),
        ..blank("efast")
    };
    DemoCase {
        exam: 16,
        author: "chen.jing",
        site: "QS",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Surgery,
                0,
                Some(true),
                "转至区中心医院后急诊剖腹探查：腹腔积血约 1500 mL，脾下极裂伤深达脾门（AAST IV 级），行脾切除术；\
                 肝、肾未见损伤。",
            ),
            outcome(
                FollowUpKind::Clinical,
                10,
                None,
                "术后第 10 天出院；按脾切除术后常规接种肺炎球菌、脑膜炎球菌及 b 型流感嗜血杆菌疫苗。",
            ),
            guess_choice("zhang.wei", "肝肾隐窝积液，腹腔内出血", 0),
        ],
    }
}

/// Absent sliding and a lung point, with the library's English consultation thread.
fn pneumothorax() -> DemoCase {
    let content = CaseContent {
        title: "Absent lung sliding with a lung point: spontaneous pneumothorax".into(),
        age_band: AgeBand::A18,
        sex: Sex::Male,
        history: "Tall, thin man in his twenties who smokes; sudden right-sided pleuritic chest pain and \
            breathlessness while playing basketball. At Heping community centre: respiratory rate 24/min, \
            SpO2 93 % on air, blood pressure 124/78 mmHg, reduced breath sounds on the right. No chest \
            X-ray on site."
            .into(),
        findings: "Right anterior chest (2nd–4th intercostal spaces, mid-clavicular line), linear probe: no \
            lung sliding, no B-lines, A-lines present; M-mode shows the barcode (stratosphere) sign instead \
            of the seashore sign. At the anterior axillary line, 5th intercostal space, a lung point: \
            sliding lung appears and disappears at the same spot with respiration. Left chest: normal \
            sliding and seashore sign. No pleural effusion."
            .into(),
        impression: "Right pneumothorax: absent sliding with A-lines and a lung point at the anterior axillary \
            line, suggesting a moderate size. No signs of tension. Transfer for chest X-ray and drainage."
            .into(),
        diagnosis: "Right primary spontaneous pneumothorax".into(),
        differential: "- **Other causes of absent sliding** (pleural adhesions, severe emphysema, apnoea, \
            main-stem intubation): no lung point.\n\
            - **Cardiac point** on the left: the border moves with the heartbeat, not with respiration."
            .into(),
        teaching_points: "- **Absent sliding + A-lines** suggests pneumothorax; the **lung point** is close \
            to 100 % specific and confirms it.\n\
            - A single **B-line** or a **lung pulse** rules out pneumothorax under the probe.\n\
            - The **position of the lung point** estimates the size: the more lateral or posterior, the \
            larger the pneumothorax.\n\
            - Document in **M-mode**: seashore sign (sliding) versus **barcode** sign (no sliding)."
            .into(),
        difficulty: Difficulty::Basic,
        tags: tags(&[
            "气胸",
            "pneumothorax",
            "肺点",
            "lung point",
            "lung sliding",
            "POCUS",
        ]),
        clips: vec![clip(
            "Right chest, anterior axillary line: the lung point moves across the field with respiration",
            &[6, 15, 24],
            vec![
                arrow((130.0, 150.0), (258.0, 172.0), (0, 29)),
                ring((340.0, 176.0), 30.0, 18.0, (12, 20)),
                label((380.0, 110.0), "lung point", (12, 20)),
            ],
        )],
        choices: vec![
            "Pneumothorax (absent sliding with a lung point)".into(),
            "Normal lung".into(),
            "Pleural effusion".into(),
            "Interstitial syndrome (multiple B-lines)".into(),
        ],
        answer: Some(0),
        ..blank("lung")
    };
    DemoCase {
        exam: 17,
        author: "wang.lei",
        site: "HP",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Imaging,
                0,
                Some(true),
                "Chest X-ray at the hub: right pneumothorax, 3.1 cm rim at the level of the hilum; no \
                 mediastinal shift.",
            ),
            outcome(
                FollowUpKind::Clinical,
                3,
                None,
                "12 Fr chest drain on admission; lung re-expanded on the next film, drain removed on day 3. \
                 Advised to stop smoking and not to fly until an X-ray shows full resolution.",
            ),
            Step::Comment(point(
                "zhang.wei",
                "Is this the lung point, or the heart border coming into view? On our portable machine I see \
                 a similar change on the left side in healthy people.",
                0,
                14,
            )),
            Step::Comment(Post {
                marked_by: Some("wang.lei"),
                ..point(
                    "wang.lei",
                    "It is a lung point. This is the right chest, far from the heart, and the change happens \
                     at the pleural line itself: sliding lung, with its shimmer and small vertical artefacts, \
                     comes in from the lateral side on inspiration and leaves on expiration — look at this \
                     frame against the one you marked. A cardiac point on the left moves with the heartbeat, \
                     not with breathing, and you see the heart's own echoes beneath it. Time the change \
                     against respiration, then put M-mode over the spot: seashore and barcode alternate.",
                    0,
                    18,
                )
            }),
            say(
                "liu.yang",
                "Thank you. If sliding is absent everywhere and I cannot find a lung point, should I still \
                 report a pneumothorax?",
            ),
            say(
                "wang.lei",
                "Report \"absent sliding, pneumothorax likely\" and look for the alternatives (intubation, \
                 adhesions, apnoea). Without a lung point the sign is sensitive but not specific: act on it \
                 in an unstable patient, confirm with an X-ray in a stable one.",
            ),
            guess_choice("li.na", "Pleural effusion on the right", 2),
        ],
    }
}

/// A malignant effusion with tamponade physiology, drained the same day.
fn tamponade() -> DemoCase {
    let content = CaseContent {
        title: "大量心包积液伴心包填塞：右室舒张期塌陷与下腔静脉扩张固定".into(),
        age_band: AgeBand::A60,
        sex: Sex::Female,
        history: "女，60余岁。3 个月前诊断右肺腺癌，进行性气促 1 周，今日不能平卧。急诊查体：心率 122 次/分，\
            血压 92/70 mmHg，奇脉约 18 mmHg，颈静脉怒张，心音遥远。"
            .into(),
        findings: "剑突下四腔心切面：心包腔内大量无回声，舒张期最大深度约 24 mm，环绕全心，心脏在积液中摆动。\
            右室游离壁于舒张早期塌陷；右房于收缩期塌陷，持续超过心动周期的 1/3。下腔静脉内径 24 mm，\
            吸气塌陷率 < 10%。左室收缩功能目测正常。"
            .into(),
        impression: "大量心包积液，伴心包填塞的超声表现（右室舒张期塌陷、右房收缩期塌陷、下腔静脉扩张固定）；\
            结合低血压与奇脉，符合心包填塞。建议立即超声引导下心包穿刺引流。"
            .into(),
        diagnosis: "恶性心包积液（肺腺癌心包转移）致心包填塞".into(),
        differential: "- **胸腔积液**：胸骨旁长轴上位于降主动脉后方，心包积液位于其前方。\n\
            - **心外膜脂肪垫**：多位于前方，有细小回声，无血流动力学影响。\n\
            - **右心衰竭**：下腔静脉扩张，但无心包积液和心腔塌陷。"
            .into(),
        teaching_points: "1. 心包填塞是**临床诊断**，超声提供关键证据：**右室舒张期塌陷**（特异性高）、\
            **右房收缩期塌陷**（敏感性高）、**下腔静脉扩张且随呼吸变化小**。\n\
            2. **积液量不等于是否填塞**：积聚速度比总量更重要，少量快速出血也可致填塞。\n\
            3. 胸骨旁长轴上以**降主动脉**为界区分心包积液（前方）与胸腔积液（后方）。\n\
            4. 剑突下是常用的**心包穿刺**路径，超声引导可明显减少并发症。"
            .into(),
        difficulty: Difficulty::Advanced,
        tags: tags(&[
            "心包填塞",
            "cardiac tamponade",
            "心包积液",
            "pericardial effusion",
            "下腔静脉",
            "IVC",
            "POCUS",
        ]),
        clips: vec![clip(
            "剑突下四腔心：大量心包积液，右室游离壁舒张早期塌陷",
            &[5, 12, 27],
            vec![
                ring((320.0, 287.0), 120.0, 96.0, (0, 31)),
                arrow((480.0, 190.0), (372.0, 262.0), (10, 16)),
                label((400.0, 150.0), "RV 舒张期塌陷", (10, 16)),
            ],
        )],
        choices: vec![
            "大量心包积液伴心包填塞".into(),
            "少量心包积液，无血流动力学影响".into(),
            "左侧胸腔积液".into(),
            "心外膜脂肪垫".into(),
        ],
        answer: Some(0),
        ..blank("cardiac")
    };
    DemoCase {
        exam: 18,
        author: "chen.jing",
        site: "HUB",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Clinical,
                0,
                Some(true),
                "剑突下超声引导心包穿刺，引流血性积液 480 mL；术后心率 92 次/分，血压 118/76 mmHg，气促明显缓解。",
            ),
            outcome(
                FollowUpKind::Clinical,
                4,
                None,
                "心包积液细胞学：见腺癌细胞，符合肺腺癌心包转移；肿瘤科调整全身治疗。",
            ),
            guess_choice("liu.yang", "大量心包积液，心包填塞", 0),
        ],
    }
}

/// A 6 cm AAA found by a community doctor's bedside scan, repaired by EVAR.
fn aortic_aneurysm() -> DemoCase {
    let content = CaseContent {
        title: "腹主动脉瘤 6.0 cm：社区床旁超声发现".into(),
        age_band: AgeBand::A80,
        sex: Sex::Male,
        history: "男，80余岁。高血压，吸烟 50 年。腰背部隐痛 2 周到东湖街道社区卫生服务中心就诊；\
            脐周可触及搏动性包块，血压 158/86 mmHg，血流动力学稳定。"
            .into(),
        findings: "肾动脉下方腹主动脉梭形扩张，横切面外壁至外壁最大径 6.0 × 5.8 cm，长约 7 cm，瘤颈距肾动脉约 1.8 cm。\
            瘤腔内见偏心性附壁血栓，残余管腔约 3.2 cm。瘤体下缘止于分叉上方，双侧髂总动脉内径 1.3 cm。\
            腹膜后未见明显血肿。"
            .into(),
        impression: "肾下型腹主动脉瘤，最大径 6.0 cm，伴附壁血栓；床旁超声未见破裂征象（但不能排除）。\
            已超过择期修复阈值（男性 ≥ 5.5 cm），且有腰背痛，按有症状动脉瘤处理：当日转诊血管外科行 CTA。"
            .into(),
        diagnosis: "肾下型腹主动脉瘤（6.0 cm）".into(),
        differential: "- **主动脉夹层**：腔内可见撕裂的内膜片与真假腔。\n\
            - **腹膜后淋巴结肿大**：包绕而非构成主动脉壁，内部无血流。\n\
            - **迂曲主动脉的斜切面**：会高估直径，应垂直于血管长轴测量。"
            .into(),
        teaching_points: "1. **外壁到外壁**测量最大径，切面垂直于主动脉长轴；只测残余管腔会**严重低估**。\n\
            2. 腹主动脉直径 **≥ 3.0 cm 即为动脉瘤**；男性 **≥ 5.5 cm**、女性 ≥ 5.0 cm 或一年增长 ≥ 1 cm 考虑修复。\n\
            3. 床旁超声**不能可靠排除破裂**（腹膜后出血常显示不清）：**有症状的动脉瘤一律按急症处理**。\n\
            4. 肠气干扰时**缓慢加压**探头推开肠管，或改用侧腹部冠状切面。"
            .into(),
        difficulty: Difficulty::Intermediate,
        tags: tags(&[
            "腹主动脉瘤",
            "AAA",
            "附壁血栓",
            "mural thrombus",
            "血管外科",
            "POCUS",
        ]),
        clips: vec![clip(
            "腹主动脉横切面：外壁至外壁 6.0 cm，偏心性附壁血栓",
            &[4, 16],
            vec![
                ring((320.0, 287.0), 110.0, 104.0, (0, 23)),
                arrow((170.0, 420.0), (262.0, 340.0), (2, 21)),
                label((450.0, 130.0), "6.0 cm", (0, 23)),
            ],
        )],
        choices: vec![
            "腹主动脉瘤（最大径 6.0 cm），当日转诊血管外科".into(),
            "正常腹主动脉".into(),
            "主动脉夹层".into(),
            "腹膜后淋巴结肿大".into(),
        ],
        answer: Some(0),
        ..blank("aaa")
    };
    DemoCase {
        exam: 19,
        author: "wang.lei",
        site: "DH",
        content,
        story: vec![
            Step::Submit,
            Step::Publish,
            outcome(
                FollowUpKind::Imaging,
                1,
                Some(true),
                "腹主动脉 CTA：肾下型腹主动脉瘤，最大径 6.1 cm，附壁血栓，无破裂征象；瘤颈长 18 mm，适合腔内修复。",
            ),
            outcome(
                FollowUpKind::Surgery,
                16,
                Some(true),
                "择期行腹主动脉瘤腔内修复术（EVAR），术后第 5 天出院，1 个月 CTA 未见内漏。",
            ),
            guess_choice("li.na", "腹主动脉瘤，约 6 cm", 0),
        ],
    }
}

/// Proximal DVT, still a draft: the author has not finished the clip's labels.
fn femoral_dvt() -> DemoCase {
    let content = CaseContent {
        title: "Non-compressible common femoral vein: proximal DVT".into(),
        age_band: AgeBand::A50,
        sex: Sex::Female,
        history: "Woman in her fifties, 10 days after a left total knee replacement, with a swollen, painful \
            left leg (calf 4 cm larger than the right). Wells score 3. Seen at Xicheng community centre \
            during a home-care visit."
            .into(),
        findings: "Left common femoral vein at the saphenofemoral junction: distended, filled with hypoechoic \
            material and not compressible under probe pressure; no colour flow in the segment and no \
            augmentation on calf squeeze. The femoral vein in the mid-thigh and the popliteal vein are also \
            non-compressible. Right leg veins compress fully."
            .into(),
        impression: "Acute proximal deep vein thrombosis of the left leg (common femoral, femoral and popliteal \
            veins). Start anticoagulation and refer the same day."
            .into(),
        diagnosis: "Acute left proximal DVT (common femoral to popliteal vein)".into(),
        differential: "- **Baker cyst**: anechoic, behind the knee between the semimembranosus and the medial \
            gastrocnemius; the popliteal vein compresses.\n\
            - **Superficial thrombophlebitis** of the great saphenous vein: check how close it reaches to the \
            junction."
            .into(),
        teaching_points: "- **Two-region compression**: the common femoral vein (including the \
            saphenofemoral junction) and the popliteal vein; a vein that does not collapse fully contains \
            thrombus.\n\
            - Compress in the **transverse plane** only: in the longitudinal plane the probe slips off the vein.\n\
            - **Acute thrombus** is hypoechoic and distends the vein; chronic thrombus is echogenic and the \
            vein is small.\n\
            - A negative two-region scan with a high clinical probability needs a **repeat scan in a week** or \
            a whole-leg scan."
            .into(),
        difficulty: Difficulty::Basic,
        tags: tags(&[
            "深静脉血栓",
            "DVT",
            "加压超声",
            "compression ultrasound",
            "术后",
            "post-operative",
        ]),
        clips: vec![clip(
            "Left groin, transverse: the common femoral vein does not compress",
            &[6, 18],
            vec![
                ring((320.0, 287.0), 58.0, 56.0, (0, 23)),
                label((300.0, 200.0), "CFV", (0, 23)),
            ],
        )],
        choices: vec![
            "Proximal DVT (non-compressible common femoral vein)".into(),
            "Normal veins".into(),
            "Baker cyst".into(),
            "Superficial thrombophlebitis of the great saphenous vein".into(),
        ],
        answer: Some(0),
        ..blank("dvt")
    };
    DemoCase {
        exam: 20,
        author: "wang.lei",
        site: "XC",
        content,
        story: Vec::new(),
    }
}
