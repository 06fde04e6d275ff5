"""Demo content for the responsibility list (职责清单 / 呼应事项清单) of the fictional 嘉禾区.

Pure data, no database code. Department codes refer to `portal.org.demo_data.DEPARTMENTS`.

- DISTRICT_MATTERS: the district's 45 whistle items (吹哨事项) in four categories, after the
  Dongcheng model: enforcement 综合执法 18, key_work 重点工作 12, emergency 应急处置 8,
  fallback 兜底责任 7.
- STREET_DUTIES: one street's own list (the first street in STREETS, 青檀街道): street duties
  (街道职责, kind "duty", usually no lead department) and shared items (共有事项, kind "shared").

Every item has the same fields:
    code, title, kind, category, scenario (启动情形和标准), lead (department code or None),
    cooperating (department codes), legal_basis (法规依据), sign_limit, complete_limit,
    limit_unit ("days" = Chinese working days; "hours" = clock hours, for emergencies),
    public (shown on resident pages), public_title (plain words for residents).

Time limits follow the seeds: respond within 2 days and finish within 5 working days by
default; emergencies in hours (Yizhuang: dispatched in 5 minutes, handled within 3 hours).
Legal bases cite real laws and regulations; a Beijing regulation is cited in the version in
force when the reform started where it has since been revised (noted in brackets).
"""

# The street whose own list STREET_DUTIES is (the first street of portal.org.demo_data.STREETS).
STREET_DUTIES_STREET = "qt"

# The article every whistle stands on: the street may summon and direct district departments.
_WHISTLE_BASIS = "《北京市街道办事处条例》第五条、第十一条"

DISTRICT_MATTERS = [
    # ------------------------------------------------------------------ 综合执法 (18)
    {
        "code": "CS-ZF-001",
        "title": "地下空间群租整治",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "网格巡查、居民举报或12345派单发现普通地下室、人防工程被分隔出租供人员居住"
                    "（地下空间群租），存在消防、治安隐患，经房管所约谈产权人或管理人后仍未清退的；"
                    "或同一地下空间一年内反复出现群租的。标准：人员全部清退，隔断拆除，封堵入口并"
                    "落实日常巡查，消防隐患整改到位。",
        "lead": "fgj",
        "cooperating": ["gaj", "xf", "cgzf", "rfb"],
        "legal_basis": "《商品房屋租赁管理办法》第八条；《北京市消防条例》（2011年修订）第二十六条、"
                       "第八十四条；《北京市人民防空条例》第二十二条、第四十七条；"
                       "《中华人民共和国治安管理处罚法》（2012年修正）第五十七条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "地下室里有人群租居住",
    },
    {
        "code": "CS-ZF-002",
        "title": "新生违建查处",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "发现正在搭建、开挖的违法建设（楼顶、院内、绿地内加盖，地下室私挖扩建等），"
                    "街道、社区劝阻制止无效，或当事人拒不停止施工的。标准：当日责令停止建设，"
                    "查封现场、扣押工具材料；拒不拆除的依法立即强制拆除或回填，做到“零新增”。",
        "lead": "cgzf",
        "cooperating": ["ghzr", "gaj", "fgj"],
        "legal_basis": "《中华人民共和国城乡规划法》第六十四条；《北京市城乡规划条例》第六十二条、"
                       "第七十四条；" + _WHISTLE_BASIS,
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "days",
        "public": True,
        "public_title": "有人正在私搭乱建",
    },
    {
        "code": "CS-ZF-003",
        "title": "背街小巷占道经营和店外经营治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "背街小巷、胡同内商户长期超出门窗店外经营、占道堆物或摆摊设点，经街道和"
                    "“门前三包”责任单位劝阻后仍反复出现，单一部门查处后一周内反弹的。"
                    "标准：清理占道物品，恢复通行，建立商户台账和每日巡查机制。",
        "lead": "cgzf",
        "cooperating": ["scjg", "gaj"],
        "legal_basis": "《北京市市容环境卫生条例》第二十三条、第三十五条；"
                       "《城市市容和环境卫生管理条例》第十四条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "小巷里店铺占道经营、乱摆摊",
    },
    {
        "code": "CS-ZF-004",
        "title": "无照游商聚集治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "地铁口、学校周边、农贸市场外等点位出现无照流动商贩聚集（同一点位5个摊位以上，"
                    "或连续3天反复出现），影响通行和市容，需城管、市场监管、公安联合处置的。"
                    "标准：现场清理，依法查扣经营工具，对涉嫌妨碍执法的移交公安，点位设专人值守。",
        "lead": "cgzf",
        "cooperating": ["scjg", "gaj", "jtzd"],
        "legal_basis": "《无证无照经营查处办法》第二条、第六条、第十三条；"
                       "《北京市市容环境卫生条例》第三十五条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "路边无照流动摊贩扎堆",
    },
    {
        "code": "CS-ZF-005",
        "title": "露天烧烤治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "在禁止区域内露天烧烤食品或为露天烧烤提供场地，夜间反复出现、油烟和噪声"
                    "扰民，城管执法队单独查处后仍反弹的；涉及无照经营、食品安全或聚众滋事的。"
                    "标准：没收烧烤工具，责令改正；对提供场地的商户同步查处；重点时段联合巡查。",
        "lead": "cgzf",
        "cooperating": ["sthj", "scjg", "gaj"],
        "legal_basis": "《中华人民共和国大气污染防治法》第一百一十八条第三款；"
                       "《中华人民共和国食品安全法》第三十六条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "夜里有人在路边露天烧烤",
    },
    {
        "code": "CS-ZF-006",
        "title": "餐饮油烟扰民治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "餐饮单位未安装或不正常使用油烟净化设施，或在居民住宅楼内新建产生油烟的"
                    "餐饮项目，居民多次投诉（同一商户30日内3次以上）的。标准：完成油烟检测，"
                    "超标的责令改正、依法处罚，拒不改正的责令停业整治。",
        "lead": "cgzf",
        "cooperating": ["sthj", "scjg"],
        "legal_basis": "《中华人民共和国大气污染防治法》第一百一十八条第一款、第二款",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "楼下饭馆油烟呛人",
    },
    {
        "code": "CS-ZF-007",
        "title": "市场内销售假冒伪劣商品查处",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "市场监管所接诉核查发现市场、商场内销售假冒注册商标商品或伪劣商品，货值较大"
                    "（5万元以上）或涉嫌刑事犯罪，需要公安派出所同步到场扣留涉案物资、控制涉案人员、"
                    "做好行刑衔接的。标准：当日联合到场，涉案物品登记扣押，涉嫌犯罪的依法移送。",
        "lead": "scjg",
        "cooperating": ["gaj"],
        "legal_basis": "《中华人民共和国商标法》第五十七条、第六十一条；"
                       "《行政执法机关移送涉嫌犯罪案件的规定》第三条",
        "sign_limit": 1,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "市场里有人卖假货",
    },
    {
        "code": "CS-ZF-008",
        "title": "无证食品摊贩和“黑作坊”查处",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "发现未取得食品经营许可或未登记的食品摊贩、食品小作坊，在居民楼、平房院落内"
                    "加工食品，存在食品安全和消防隐患的。标准：责令停止经营，没收违法所得和食品、"
                    "原料，消除用火用气隐患，涉及违法建设的同步处置。",
        "lead": "scjg",
        "cooperating": ["cgzf", "gaj", "xf"],
        "legal_basis": "《中华人民共和国食品安全法》第三十五条、第三十六条、第一百二十二条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "有人无证卖吃的、开黑作坊",
    },
    {
        "code": "CS-ZF-009",
        "title": "建筑工地夜间施工噪声扰民查处",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "在居民区等噪声敏感建筑物集中区域，工地未取得夜间施工证明在22时至次日6时施工，"
                    "或超标排放施工噪声，当晚经劝阻未停止、或一周内反复发生的。"
                    "标准：当晚停止作业，核查夜间施工证明，依法处罚并纳入施工单位信用记录。",
        "lead": "cgzf",
        "cooperating": ["zjw", "sthj"],
        "legal_basis": "《中华人民共和国噪声污染防治法》第四十三条；" + _WHISTLE_BASIS,
        "sign_limit": 1,
        "complete_limit": 2,
        "limit_unit": "days",
        "public": True,
        "public_title": "工地夜里施工太吵",
    },
    {
        "code": "CS-ZF-010",
        "title": "违规户外广告和牌匾标识治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "未按设置规划设置户外广告设施，或牌匾标识超出规定位置、体量、数量，存在坠落"
                    "风险或影响市容，责任人逾期不改正的。标准：责令限期拆除，逾期强制拆除；"
                    "无法确定所有人的，公告期满后拆除。",
        "lead": "cgzf",
        "cooperating": ["cgw", "scjg"],
        "legal_basis": "《北京市市容环境卫生条例》第三十八条、第三十九条；"
                       "《城市市容和环境卫生管理条例》第十一条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "违规广告牌、招牌不安全",
    },
    {
        "code": "CS-ZF-011",
        "title": "非法小广告张贴喷涂治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "楼道、电线杆、墙面成片出现张贴、喷涂的小广告（办证、开锁、招租等），清除后"
                    "反复出现，需要追查广告号码和发布人的。标准：清除完毕，追查号码、责令停止，"
                    "组织者依法处罚。",
        "lead": "cgzf",
        "cooperating": ["gaj", "cgw"],
        "legal_basis": "《北京市市容环境卫生条例》第四十一条；《城市市容和环境卫生管理条例》第十七条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "墙上、楼道里乱贴乱喷小广告",
    },
    {
        "code": "CS-ZF-012",
        "title": "机动车违法停放占用人行道和消防通道治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "机动车长期占用人行道、盲道、胡同消防通道停放，阻碍通行或消防车进出，"
                    "经社区劝导、张贴告知后仍未改正的。标准：依法处罚、拖移车辆，"
                    "施划禁停标线，消防通道全程畅通。",
        "lead": "jtzd",
        "cooperating": ["cgzf", "xf"],
        "legal_basis": "《中华人民共和国道路交通安全法》第五十六条、第九十三条；"
                       "《中华人民共和国消防法》第二十八条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "车停在人行道上或堵了消防通道",
    },
    {
        "code": "CS-ZF-013",
        "title": "互联网租赁自行车（共享单车）乱停放治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "地铁站口、路口、盲道等处共享单车大量堆积（单个点位50辆以上），运营企业接到"
                    "通知2小时内未清理，或同一点位反复堆积的。标准：督促企业清运调度，"
                    "施划停放区并设电子围栏，违规车辆依法处置。",
        "lead": "jtw",
        "cooperating": ["cgzf", "jtzd", "cgw"],
        "legal_basis": "《中华人民共和国道路交通安全法》第五十九条；"
                       "《北京市市容环境卫生条例》第三十五条第四款",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "共享单车堆在路口、堵了盲道",
    },
    {
        "code": "CS-ZF-014",
        "title": "擅自砍伐、移植树木查处",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "发现单位或个人未经批准砍伐、移植、严重修剪城市树木，或伤害古树名木的。"
                    "标准：当场制止，核查审批手续，责令补植或采取补救措施并依法处罚；"
                    "涉嫌毁坏公私财物的移交公安。",
        "lead": "ylhj",
        "cooperating": ["cgzf", "gaj"],
        "legal_basis": "《城市绿化条例》第二十条、第二十四条、第二十六条",
        "sign_limit": 1,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "有人私自砍树",
    },
    {
        "code": "CS-ZF-015",
        "title": "违规养犬和不文明养犬治理",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "重点管理区内饲养大型犬、烈性犬，未登记养犬，或遛犬不束犬链、犬粪不清理，"
                    "居民多次投诉、发生犬只伤人的。标准：核查登记，没收违规犬只或依法处罚，"
                    "犬粪污染由城管执法队处罚，社区完善养犬公约。",
        "lead": "gaj",
        "cooperating": ["cgzf"],
        "legal_basis": "《北京市养犬管理规定》第四条、第十条、第十七条、第二十六条、第三十条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "有人养大型犬、遛狗不拴绳",
    },
    {
        "code": "CS-ZF-016",
        "title": "非法行医“黑诊所”查处",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "居民举报或网格巡查发现未取得医疗机构执业许可证擅自开展诊疗活动（输液、拔牙、"
                    "医疗美容等）的场所，需卫生监督、公安、市场监管联合取缔的。"
                    "标准：责令停止执业，没收药品器械，涉嫌非法行医罪的移送公安。",
        "lead": "wjw",
        "cooperating": ["gaj", "scjg"],
        "legal_basis": "《中华人民共和国基本医疗卫生与健康促进法》第九十九条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "附近有无证的“黑诊所”",
    },
    {
        "code": "CS-ZF-017",
        "title": "生活垃圾不分类投放和混装混运查处",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "小区、商户、单位长期不分类投放生活垃圾，或收运单位将已分类垃圾混装混运，"
                    "经分类管理责任人劝阻、街道督促后仍未改正的。标准：责令立即改正，"
                    "依法处罚责任人和收运单位，桶站达标。",
        "lead": "cgzf",
        "cooperating": ["cgw"],
        "legal_basis": "《北京市生活垃圾管理条例》第三十五条、第四十四条、第六十七条、第六十八条、"
                       "第七十条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "小区垃圾不分类、垃圾车混装混运",
    },
    {
        "code": "CS-ZF-018",
        "title": "出租房屋涉嫌传销人员聚集联合清查",
        "kind": "whistle",
        "category": "enforcement",
        "scenario": "社区、房管所发现出租房屋内人员异常聚集、以介绍工作等名义限制人身自由，"
                    "疑似传销窝点的。标准：公安牵头清查，市场监管查处传销行为，"
                    "房管所追究出租人登记责任，社区做好后续劝返。内部事项，不对外公开。",
        "lead": "gaj",
        "cooperating": ["scjg", "fgj"],
        "legal_basis": "《禁止传销条例》第四条、第十条、第十二条；"
                       "《中华人民共和国治安管理处罚法》（2012年修正）第五十七条",
        "sign_limit": 1,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
    # ------------------------------------------------------------------ 重点工作 (12)
    {
        "code": "CS-ZD-001",
        "title": "住宅群租房专项整治",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "专项行动中排查出的住宅群租房（隔断出租、人均居住面积不达标、厨房卫生间住人），"
                    "产权人或二房东拒不整改的。标准：拆除隔断、恢复原状，承租人信息登记，"
                    "消防隐患清零，逐户销账。",
        "lead": "fgj",
        "cooperating": ["gaj", "xf", "cgzf"],
        "legal_basis": "《商品房屋租赁管理办法》第八条；《中华人民共和国治安管理处罚法》（2012年修正）第五十七条；"
                       "《北京市街道办事处条例》第二十八条",
        "sign_limit": 2,
        "complete_limit": 15,
        "limit_unit": "days",
        "public": True,
        "public_title": "楼里有房子被隔成很多小间出租",
    },
    {
        "code": "CS-ZD-002",
        "title": "存量违建拆除攻坚",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "列入年度拆违台账的存量违法建设，当事人逾期不拆除，或涉及商户经营、"
                    "人员安置、管线迁移等，需多部门集中攻坚的。标准：依法催告、强制拆除，"
                    "拆后安全鉴定，建筑垃圾清运，腾退空间复绿或补齐便民设施。",
        "lead": "cgzf",
        "cooperating": ["ghzr", "gaj", "zjw", "fgj", "scjg"],
        "legal_basis": "《中华人民共和国城乡规划法》第六十四条、第六十八条；"
                       "《北京市城乡规划条例》第七十五条、第七十八条",
        "sign_limit": 3,
        "complete_limit": 20,
        "limit_unit": "days",
        "public": True,
        "public_title": "院里、街边的违建多年没拆",
    },
    {
        "code": "CS-ZD-003",
        "title": "背街小巷环境整治提升",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "列入年度整治计划的背街小巷，存在私搭乱建、架空线乱拉、立面破损、绿化缺失、"
                    "停车无序等多类问题，需要城管、规划、园林、交通等部门同步施工和执法的。"
                    "标准：达到“十无一创建”要求，街巷长验收，居民满意。",
        "lead": "cgw",
        "cooperating": ["cgzf", "ghzr", "ylhj", "jtzd"],
        "legal_basis": "《北京市街道办事处条例》第二十七条、第二十八条；"
                       "《北京市市容环境卫生条例》第二十三条",
        "sign_limit": 3,
        "complete_limit": 20,
        "limit_unit": "days",
        "public": True,
        "public_title": "胡同小巷脏乱差、需要整治",
    },
    {
        "code": "CS-ZD-004",
        "title": "街巷停车秩序治理",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "胡同、老旧小区周边停车乱、进出难，居民多次反映，需要规划停车位、施划标线、"
                    "组建停车自治管理、处罚违停等综合施策的。标准：停车方案经社区议事协商通过，"
                    "标线施划完成，违停明显下降。",
        "lead": "jtzd",
        "cooperating": ["jtw", "cgzf", "ghzr"],
        "legal_basis": "《中华人民共和国道路交通安全法》第五十六条；"
                       "《北京市街道办事处条例》第二十八条、第三十一条",
        "sign_limit": 2,
        "complete_limit": 15,
        "limit_unit": "days",
        "public": True,
        "public_title": "胡同里停车乱、车进不来出不去",
    },
    {
        "code": "CS-ZD-005",
        "title": "老旧小区综合整治",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "列入综合整治计划的老旧小区，楼体、管线、消防设施老化，需住建、房管、规划、"
                    "城管委、消防协同推进（加装电梯、节能改造、补建停车和便民设施）的。"
                    "标准：整治方案公示，施工期间问题当周协调，竣工后引入物业服务。",
        "lead": "zjw",
        "cooperating": ["fgj", "ghzr", "cgw", "xf"],
        "legal_basis": "《北京市街道办事处条例》第十条、第二十七条",
        "sign_limit": 3,
        "complete_limit": 20,
        "limit_unit": "days",
        "public": True,
        "public_title": "老旧小区设施破旧需要改造",
    },
    {
        "code": "CS-ZD-006",
        "title": "“开墙打洞”及擅自改变房屋用途整治",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "临街住宅、平房擅自拆改墙体开设门脸经营，或擅自改变规划用途，"
                    "影响房屋结构安全和居民生活的。标准：封堵恢复原状，依法处罚，"
                    "以违法建设为经营场所的不予办理证照。",
        "lead": "cgzf",
        "cooperating": ["ghzr", "fgj", "scjg"],
        "legal_basis": "《北京市城乡规划条例》第六十六条、第八十四条；"
                       "《北京市市容环境卫生条例》第二十六条",
        "sign_limit": 2,
        "complete_limit": 15,
        "limit_unit": "days",
        "public": True,
        "public_title": "临街住宅被开墙打洞做生意",
    },
    {
        "code": "CS-ZD-007",
        "title": "平房院落火灾隐患整治（含电动自行车违规停放充电）",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "平房院落、老旧楼道内私拉电线“飞线”充电、电动自行车在楼道和安全出口停放充电、"
                    "院内堆放可燃杂物、堵塞消防通道，经社区告知后仍未整改的。"
                    "标准：隐患清零，建设集中充电设施，消防通道畅通，建立院落消防安全员制度。",
        "lead": "xf",
        "cooperating": ["gaj", "fgj", "cgzf"],
        "legal_basis": "《中华人民共和国消防法》第二十八条、第三十二条；"
                       "《北京市消防条例》（2011年修订）第三十五条、第七十二条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "院里、楼道里堆杂物，电动车飞线充电",
    },
    {
        "code": "CS-ZD-008",
        "title": "重大活动期间地区环境和秩序保障",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "重大会议、重大节日和大型活动保障期间，街道按照区级部署组织环境秩序、"
                    "安全稳定、消防、交通等专项保障，需各派驻机构按方案到岗的。"
                    "标准：按保障方案落实点位和人员，每日报告。内部事项，不对外公开。",
        "lead": "gaj",
        "cooperating": ["cgzf", "jtzd", "xf", "scjg"],
        "legal_basis": "《北京市街道办事处条例》第五条、第三十三条；"
                       "《北京市实施〈中华人民共和国突发事件应对法〉办法》第十二条",
        "sign_limit": 1,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
    {
        "code": "CS-ZD-009",
        "title": "无证网吧及违规接纳未成年人专项整治",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "学校周边、居民楼内发现未经许可从事互联网上网服务经营，或网吧接纳未成年人，"
                    "家长和学校多次反映的。标准：依法取缔无证网吧，查扣设备；"
                    "违规接纳未成年人的依法处罚，校园周边常态巡查。",
        "lead": "whly",
        "cooperating": ["gaj", "scjg"],
        "legal_basis": "《互联网上网服务营业场所管理条例》第七条、第二十一条、第二十七条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "学校附近有黑网吧、让孩子进去上网",
    },
    {
        "code": "CS-ZD-010",
        "title": "生活垃圾分类桶站达标攻坚",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "辖区小区、胡同生活垃圾分类桶站设置不达标（缺少厨余、其他垃圾成组容器，"
                    "缺少可回收物、有害垃圾交投点），分类管理责任人不明确或拒不整改的。"
                    "标准：桶站全部达标，责任人公示，指导员定时值守。",
        "lead": "cgw",
        "cooperating": ["cgzf", "fgj"],
        "legal_basis": "《北京市生活垃圾管理条例》第三十四条、第三十六条、第五十八条",
        "sign_limit": 2,
        "complete_limit": 15,
        "limit_unit": "days",
        "public": True,
        "public_title": "小区垃圾桶站不分类、不规范",
    },
    {
        "code": "CS-ZD-011",
        "title": "“三合一”场所和“九小”场所消防安全专项整治",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "小餐馆、小商店、小作坊等“九小”场所存在生产经营储存与住人合用（“三合一”）、"
                    "违规使用液化石油气、疏散通道堵塞等隐患，需消防、公安、市场监管、应急联合"
                    "检查的。标准：住人的全部清出，液化气瓶规范管理，隐患限期整改销账。",
        "lead": "xf",
        "cooperating": ["gaj", "scjg", "yjgl"],
        "legal_basis": "《中华人民共和国消防法》第十九条；《北京市消防条例》（2011年修订）第二十九条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "小饭馆、小商店里住人，有火灾隐患",
    },
    {
        "code": "CS-ZD-012",
        "title": "马路市场和占道市场清理",
        "kind": "whistle",
        "category": "key_work",
        "scenario": "早晚时段形成的马路市场、占道市场堵塞道路，存在无照经营、食品安全和交通安全"
                    "问题，单一部门清理后反复出现的。标准：市场清理，为经营者提供场所的依法查处，"
                    "补齐周边便民菜站、早餐点等服务网点。",
        "lead": "scjg",
        "cooperating": ["cgzf", "jtzd", "gaj"],
        "legal_basis": "《无证无照经营查处办法》第十三条、第十四条；"
                       "《北京市市容环境卫生条例》第三十五条；《北京市街道办事处条例》第二十一条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "马路市场占道、堵路",
    },
    # ------------------------------------------------------------------ 应急处置 (8), in hours
    {
        "code": "CS-YJ-001",
        "title": "汛期道路、低洼院落和地下空间积水",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "降雨期间道路、下凹式立交桥、低洼平房院落、地下室积水深度超过15厘米，"
                    "或积水倒灌居民住宅、危及人员安全的。标准：5分钟内调度，1小时内到场"
                    "抽排和设置警戒，3小时内排除积水、转移受困人员。",
        "lead": "swj",
        "cooperating": ["cgw", "jtzd", "xf", "yjgl"],
        "legal_basis": "《中华人民共和国防洪法》第三十八条；《城镇排水与污水处理条例》第二十七条",
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "hours",
        "public": True,
        "public_title": "下暴雨路面、院子或地下室积水",
    },
    {
        "code": "CS-YJ-002",
        "title": "汛期危旧房屋和平房险情处置",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "强降雨期间平房、危旧房屋出现严重漏雨、墙体开裂、房屋倾斜或局部坍塌，"
                    "危及居住人员安全的。标准：1小时内到场，先行转移安置人员，"
                    "设置警戒和临时支护，6小时内完成抢险或临时加固。",
        "lead": "fgj",
        "cooperating": ["zjw", "xf", "yjgl", "gaj"],
        "legal_basis": "《中华人民共和国防洪法》第三十八条；"
                       "《北京市实施〈中华人民共和国突发事件应对法〉办法》第四十七条、第四十九条",
        "sign_limit": 1,
        "complete_limit": 6,
        "limit_unit": "hours",
        "public": True,
        "public_title": "下雨房子漏雨、墙裂了有危险",
    },
    {
        "code": "CS-YJ-003",
        "title": "燃气管线泄漏应急处置",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "居民闻到燃气异味、燃气管线被施工挖断或泄漏，燃气企业已通知但现场需要疏散"
                    "人员、交通管制、消防警戒的。标准：立即关阀、疏散警戒，燃气企业抢修，"
                    "3小时内消除险情，恢复供气前完成安全检查。",
        "lead": "cgw",
        "cooperating": ["xf", "gaj", "jtzd", "yjgl"],
        "legal_basis": "《城镇燃气管理条例》第四十二条；"
                       "《北京市实施〈中华人民共和国突发事件应对法〉办法》第四十九条",
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "hours",
        "public": True,
        "public_title": "闻到燃气味、燃气管道漏气",
    },
    {
        "code": "CS-YJ-004",
        "title": "供水管线爆裂和大面积停水处置",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "供水管线爆裂造成路面冒水、积水结冰或居民区大面积停水（500户以上），"
                    "需交通疏导和临时供水的。标准：1小时内关阀止水、设置警戒，"
                    "组织送水车临时供水，6小时内恢复供水或公布恢复时间。",
        "lead": "swj",
        "cooperating": ["cgw", "jtzd"],
        "legal_basis": "《城市供水条例》第二十二条、第二十七条",
        "sign_limit": 1,
        "complete_limit": 6,
        "limit_unit": "hours",
        "public": True,
        "public_title": "自来水管爆了、大面积停水",
    },
    {
        "code": "CS-YJ-005",
        "title": "平房院落火情和重大火灾隐患紧急处置",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "平房院落、群租房、地下空间发生火情，或发现液化气罐违规存放、电气线路冒烟等"
                    "可能立即引发火灾的隐患的。标准：立即报警，消防救援站到场处置，"
                    "派出所警戒，街道、社区疏散安置人员，3小时内消除险情。",
        "lead": "xf",
        "cooperating": ["gaj", "fgj", "wjw"],
        "legal_basis": "《中华人民共和国消防法》第二十八条；"
                       "《北京市消防条例》（2011年修订）第六十条、第六十二条",
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "hours",
        "public": True,
        "public_title": "院里着火或马上要着火",
    },
    {
        "code": "CS-YJ-006",
        "title": "路面塌陷、井盖缺失等道路险情处置",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "道路、人行道出现塌陷、空洞，或窨井盖缺失、破损、移位，危及行人车辆安全，"
                    "权属单位未能及时到场的。标准：1小时内设置警示和围挡，"
                    "3小时内完成临时修复或补盖，权属单位限期永久修复。",
        "lead": "cgw",
        "cooperating": ["jtzd", "swj", "cgzf"],
        "legal_basis": "《城镇排水与污水处理条例》第二十六条、第三十八条；"
                       "《北京市市容环境卫生条例》第三十一条",
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "hours",
        "public": True,
        "public_title": "路面塌陷、井盖丢了",
    },
    {
        "code": "CS-YJ-007",
        "title": "大风暴雪天气树木倒伏和设施坠落处置",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "大风、暴雪、冰冻天气造成树木倒伏或断枝压线压车，广告牌、牌匾、空调外机等"
                    "设施松动坠落，阻断交通或危及人员安全的。标准：1小时内警戒疏导，"
                    "3小时内清除倒伏树木和坠落物，险情设施拆除或加固。",
        "lead": "ylhj",
        "cooperating": ["cgw", "jtzd", "xf", "cgzf"],
        "legal_basis": "《城市绿化条例》第二十三条；"
                       "《北京市实施〈中华人民共和国突发事件应对法〉办法》第四十九条",
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "hours",
        "public": True,
        "public_title": "大风刮倒树、广告牌要掉下来",
    },
    {
        "code": "CS-YJ-008",
        "title": "群体性聚集事件现场处置",
        "kind": "whistle",
        "category": "emergency",
        "scenario": "因拆迁、欠薪、物业纠纷等引发人员聚集、堵路或可能激化的事件，街道先期处置"
                    "后仍需多部门到场的。标准：公安维护现场秩序，司法所和相关部门现场调处，"
                    "3小时内疏散人员、稳定事态，后续矛盾纳入化解台账。内部事项，不对外公开。",
        "lead": "gaj",
        "cooperating": ["sfj", "fgj", "wjw"],
        "legal_basis": "《北京市实施〈中华人民共和国突发事件应对法〉办法》第二十二条、第四十七条、"
                       "第五十条；《北京市街道办事处条例》第三十三条",
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "hours",
        "public": False,
        "public_title": "",
    },
    # ------------------------------------------------------------------ 兜底责任 (7)
    {
        "code": "CS-DD-001",
        "title": "无主垃圾渣土堆放清运",
        "kind": "whistle",
        "category": "fallback",
        "scenario": "公共区域、拆迁腾退地块、胡同内出现无法确定责任人的垃圾、装修渣土、大件"
                    "废弃物堆放，经街道公告后仍无人认领清理的。标准：公告期满后清运，"
                    "确定生活垃圾分类管理责任人，点位纳入巡查防止再次倾倒。",
        "lead": "cgw",
        "cooperating": ["cgzf", "sthj"],
        "legal_basis": "《北京市生活垃圾管理条例》第三十四条第二款、第三十九条；"
                       "《北京市市容环境卫生条例》第三十五条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "路边有没人管的垃圾、渣土堆",
    },
    {
        "code": "CS-DD-002",
        "title": "权属不清公共设施损坏修复",
        "kind": "whistle",
        "category": "fallback",
        "scenario": "路灯、护栏、休闲座椅、公共信息栏等设施损坏，经核查权属不清或权属单位相互"
                    "推诿，超过15日无人修复的。标准：区级平台确定责任单位，先行修复，"
                    "事后明确管护主体并登记台账。",
        "lead": "cgw",
        "cooperating": ["jtzd", "swj"],
        "legal_basis": "《北京市市容环境卫生条例》第三十四条；"
                       "《北京市街道办事处条例》第十七条第一款第（三）项",
        "sign_limit": 2,
        "complete_limit": 7,
        "limit_unit": "days",
        "public": True,
        "public_title": "路灯不亮、护栏坏了没人修",
    },
    {
        "code": "CS-DD-003",
        "title": "无物业老旧小区公共部位维修",
        "kind": "whistle",
        "category": "fallback",
        "scenario": "无物业服务、无产权单位管理的老旧小区，楼道灯、单元门、下水管道、屋面防水"
                    "等公共部位损坏，居民无力自行解决的。标准：先行维修解决急难问题，"
                    "推动成立业主自治组织或引入物业服务。",
        "lead": "fgj",
        "cooperating": ["zjw", "cgw"],
        "legal_basis": "《北京市街道办事处条例》第十条、第十七条第一款第（三）项",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "小区没物业，楼道灯、下水坏了没人管",
    },
    {
        "code": "CS-DD-004",
        "title": "弃管车辆和废旧自行车清理",
        "kind": "whistle",
        "category": "fallback",
        "scenario": "公共区域、胡同、楼院内长期停放的“僵尸车”、废旧自行车，占用车位和消防通道，"
                    "无法确定所有人的。标准：张贴公告，公告期满无人认领的依法清理拖移，"
                    "车位恢复使用。",
        "lead": "cgzf",
        "cooperating": ["jtzd", "gaj"],
        "legal_basis": "《北京市市容环境卫生条例》第三十五条；《中华人民共和国消防法》第二十八条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "院里僵尸车、废旧自行车没人清",
    },
    {
        "code": "CS-DD-005",
        "title": "流浪乞讨和生活无着人员救助",
        "kind": "whistle",
        "category": "fallback",
        "scenario": "网格员、居民发现流浪乞讨人员或生活无着人员在桥下、地下通道、公园长期滞留，"
                    "特别是老年人、未成年人、残疾人和患病人员，或遇寒潮、高温天气的。"
                    "标准：当日劝导、护送至救助站，患病人员送医，信息报民政部门。",
        "lead": "mzj",
        "cooperating": ["gaj", "cgzf", "wjw"],
        "legal_basis": "《城市生活无着的流浪乞讨人员救助管理办法》第四条、第五条",
        "sign_limit": 1,
        "complete_limit": 2,
        "limit_unit": "days",
        "public": True,
        "public_title": "有流浪人员需要救助",
    },
    {
        "code": "CS-DD-006",
        "title": "街道交界地带责任不清问题处置",
        "kind": "whistle",
        "category": "fallback",
        "scenario": "相邻街道、社区交界处出现违建、垃圾、设施损坏等问题，管辖范围有争议，"
                    "各方均未处置超过10日的。标准：区级平台判定牵头街道和责任部门，"
                    "平级吹哨协同处置，明确交界地带日常管护界线。",
        "lead": "cgzf",
        "cooperating": ["ghzr", "cgw"],
        "legal_basis": "《北京市街道办事处条例》第十七条第一款第（三）项、第二十六条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "两个街道交界的地方出了问题没人管",
    },
    {
        "code": "CS-DD-007",
        "title": "长期挂账和多次流转案件兜底销账",
        "kind": "whistle",
        "category": "fallback",
        "scenario": "网格平台经两次以上流转或一般强制结案、问题仍未解决的挂账案件，"
                    "经专项普查列入挂账督办台账的。标准：逐件明确牵头部门和销账时限，"
                    "街道吹哨、区级督办，解决后销账。内部事项，不对外公开。",
        "lead": "cgw",
        "cooperating": ["cgzf"],
        "legal_basis": "《北京市街道办事处条例》第十七条第一款第（三）项、第四十四条",
        "sign_limit": 3,
        "complete_limit": 15,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
]

STREET_DUTIES = [
    # ------------------------------------------------------------------ 街道职责 (duty)
    {
        "code": "QT-ZZ-001",
        "title": "背街小巷日常保洁巡查",
        "kind": "duty",
        "category": "key_work",
        "scenario": "街道组织保洁队伍对辖区居住区、胡同街巷每日清扫保洁，街巷长每周巡查；"
                    "发现暴露垃圾、积存渣土的，当日清理。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《城市市容和环境卫生管理条例》第二十三条第二款；"
                       "《北京市市容环境卫生条例》第二十二条第二款第（二）项",
        "sign_limit": 1,
        "complete_limit": 1,
        "limit_unit": "days",
        "public": True,
        "public_title": "胡同小巷没人扫、有垃圾",
    },
    {
        "code": "QT-ZZ-002",
        "title": "街巷长、小巷管家日常巡查",
        "kind": "duty",
        "category": "key_work",
        "scenario": "街巷长每周至少巡查一次责任街巷，小巷管家每日巡查；发现的简单问题现场处理，"
                    "需派单的问题当日上报街道指挥中心。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市街道办事处条例》第二十四条",
        "sign_limit": 1,
        "complete_limit": 2,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
    {
        "code": "QT-ZZ-003",
        "title": "社区议事协商组织（社区议事厅、协商日）",
        "kind": "duty",
        "category": "key_work",
        "scenario": "社区每月固定一天为社区协商日，对停车、加装电梯、环境整治等涉及居民切身利益"
                    "的公共事务组织协商；议定事项5个工作日内公示并跟踪落实。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市街道办事处条例》第三十一条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "小区公共事务想找大家商量",
    },
    {
        "code": "QT-ZZ-004",
        "title": "居民公约制定和修订指导",
        "kind": "duty",
        "category": "key_work",
        "scenario": "指导居民委员会组织居民制定、修订居民公约（含垃圾分类、文明养犬、停车自治"
                    "等内容），并公开征求意见。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市街道办事处条例》第三十二条",
        "sign_limit": 2,
        "complete_limit": 20,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
    {
        "code": "QT-ZZ-005",
        "title": "网格化管理基础数据采集和更新",
        "kind": "duty",
        "category": "key_work",
        "scenario": "网格员按月采集更新网格内人、地、事、物、组织等基础数据，发现的隐患和问题"
                    "按简单、一般、复杂三级分类上报。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市街道办事处条例》第二十四条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
    {
        "code": "QT-ZZ-006",
        "title": "12345热线诉求接诉即办",
        "kind": "duty",
        "category": "key_work",
        "scenario": "对市民服务热线派给街道的诉求及时受理、联系诉求人；属于街道职责的按时限办理，"
                    "涉及多部门的协调或吹哨，责任主体不明的报区级平台，并向诉求人反馈。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市街道办事处条例》第六条、第十七条",
        "sign_limit": 1,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "打12345反映的问题",
    },
    {
        "code": "QT-ZZ-007",
        "title": "生活垃圾分类指导员组织和桶前值守",
        "kind": "duty",
        "category": "key_work",
        "scenario": "在居住区设立生活垃圾减量分类指导员，投放高峰时段桶前值守，宣传分类知识，"
                    "对不分类投放的劝阻并登记。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市生活垃圾管理条例》第五十八条",
        "sign_limit": 1,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "垃圾分类没人指导",
    },
    {
        "code": "QT-ZZ-008",
        "title": "确定生活垃圾分类管理责任人",
        "kind": "duty",
        "category": "fallback",
        "scenario": "对无物业、无单位自管的胡同、楼院等不能确定生活垃圾分类管理责任人的区域，"
                    "由街道组织确定责任人并向社会公布。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市生活垃圾管理条例》第三十四条第二款",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "胡同、楼院垃圾没人负责",
    },
    {
        "code": "QT-ZZ-009",
        "title": "冬季扫雪铲冰组织",
        "kind": "duty",
        "category": "emergency",
        "scenario": "降雪期间组织街道保洁队伍、社区志愿者对居住区、胡同街巷、人行步道扫雪铲冰，"
                    "重点保障老年人出行路线、学校和医院周边。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市市容环境卫生条例》第二十二条、第二十三条",
        "sign_limit": 1,
        "complete_limit": 12,
        "limit_unit": "hours",
        "public": True,
        "public_title": "下雪后路面结冰没人清",
    },
    {
        "code": "QT-ZZ-010",
        "title": "突发事件先期处置和人员疏散",
        "kind": "duty",
        "category": "emergency",
        "scenario": "辖区发生突发事件后，街道立即组织人员疏散、引导救援，30分钟内向区政府报告，"
                    "必要时越级上报，并视情启动应急哨。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市实施〈中华人民共和国突发事件应对法〉办法》第三十七条、第四十七条",
        "sign_limit": 1,
        "complete_limit": 3,
        "limit_unit": "hours",
        "public": False,
        "public_title": "",
    },
    {
        "code": "QT-ZZ-011",
        "title": "街道应急预案制定和应急演练",
        "kind": "duty",
        "category": "key_work",
        "scenario": "制定和修订街道突发事件应急预案（防汛、消防、燃气等专项），报区政府备案，"
                    "每年至少组织一次综合应急演练。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市实施〈中华人民共和国突发事件应对法〉办法》第十二条、第十三条、"
                       "第三十一条",
        "sign_limit": 2,
        "complete_limit": 20,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
    {
        "code": "QT-ZZ-012",
        "title": "违法建设日常巡查和制止",
        "kind": "duty",
        "category": "enforcement",
        "scenario": "对辖区建设情况日常巡查，发现违法建设行为当场劝阻制止并登记；"
                    "当事人不听劝阻的，按“新生违建查处”吹哨。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市城乡规划条例》第六十二条",
        "sign_limit": 1,
        "complete_limit": 1,
        "limit_unit": "days",
        "public": True,
        "public_title": "发现有人要私搭乱建",
    },
    {
        "code": "QT-ZZ-013",
        "title": "老旧小区物业管理协调",
        "kind": "duty",
        "category": "fallback",
        "scenario": "对物业服务企业履职情况进行监督，协调物业费收缴、物业交接、业主委员会组建中的"
                    "矛盾；物业企业撤出的，组织应急物业服务。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市街道办事处条例》第十条第一款第（二）项",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "物业不管事、物业撤走了",
    },
    {
        "code": "QT-ZZ-014",
        "title": "困难群众和独居老人需求摸排",
        "kind": "duty",
        "category": "fallback",
        "scenario": "社区专员、网格员定期入户走访独居老人、残疾人、低收入家庭，了解助餐、助医、"
                    "助行等需求，符合条件的帮助申请救助，发现急难情况当日处置。",
        "lead": None,
        "cooperating": [],
        "legal_basis": "《北京市街道办事处条例》第十八条",
        "sign_limit": 1,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "家里老人、困难家庭需要帮助",
    },
    # ------------------------------------------------------------------ 共有事项 (shared)
    {
        "code": "QT-GY-001",
        "title": "矛盾纠纷排查化解（人民调解）",
        "kind": "shared",
        "category": "key_work",
        "scenario": "邻里、家庭、物业等矛盾纠纷由社区人民调解委员会先行调解；调解不成或可能激化的，"
                    "司法所牵头、派出所配合联合调处。",
        "lead": "sfj",
        "cooperating": ["gaj"],
        "legal_basis": "《北京市街道办事处条例》第三十三条第二款",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "邻里纠纷需要调解",
    },
    {
        "code": "QT-GY-002",
        "title": "平房院落和群租房消防安全巡视检查",
        "kind": "shared",
        "category": "key_work",
        "scenario": "街道组织志愿消防队每月对平房院落、群租房、地下空间开展消防安全巡视检查，"
                    "发现火灾隐患和消防违法行为，当日告知消防救援站、派出所依法处理。",
        "lead": "xf",
        "cooperating": ["gaj"],
        "legal_basis": "《北京市消防条例》（2011年修订）第九条第四款、第七十二条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "院里、楼里有火灾隐患",
    },
    {
        "code": "QT-GY-003",
        "title": "地下空间日常巡查和备案管理",
        "kind": "shared",
        "category": "enforcement",
        "scenario": "房管所会同街道、派出所对普通地下室和人防工程使用情况按季度巡查，核对使用备案，"
                    "发现住人、违规经营的及时处置，问题严重的启动“地下空间群租整治”吹哨。",
        "lead": "fgj",
        "cooperating": ["gaj", "xf"],
        "legal_basis": "《北京市消防条例》（2011年修订）第二十六条；《北京市人民防空条例》第二十二条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": False,
        "public_title": "",
    },
    {
        "code": "QT-GY-004",
        "title": "文明养犬宣传和养犬公约",
        "kind": "shared",
        "category": "key_work",
        "scenario": "社区组织居民制定养犬公约、开展文明养犬宣传，派出所提供养犬登记服务，"
                    "对多次被投诉的养犬人联合约谈。",
        "lead": "gaj",
        "cooperating": ["cgzf"],
        "legal_basis": "《北京市养犬管理规定》第五条、第六条、第二十三条",
        "sign_limit": 2,
        "complete_limit": 10,
        "limit_unit": "days",
        "public": True,
        "public_title": "小区里养狗扰民",
    },
    {
        "code": "QT-GY-005",
        "title": "胡同停车自治管理",
        "kind": "shared",
        "category": "key_work",
        "scenario": "街道指导社区成立停车自治管理委员会，协商确定停车位分配和管理规则；"
                    "交通队配合施划标线，对外来车辆违停依法处罚。",
        "lead": "jtzd",
        "cooperating": ["cgzf"],
        "legal_basis": "《北京市街道办事处条例》第二十八条、第三十一条；"
                       "《中华人民共和国道路交通安全法》第五十六条",
        "sign_limit": 2,
        "complete_limit": 15,
        "limit_unit": "days",
        "public": True,
        "public_title": "胡同停车想定个规矩",
    },
    {
        "code": "QT-GY-006",
        "title": "“门前三包”责任落实检查",
        "kind": "shared",
        "category": "enforcement",
        "scenario": "街道书面告知沿街单位和商户市容环境卫生责任区范围和要求，每月检查；"
                    "责任人不履行责任的，由城管执法队责令改正并依法处罚。",
        "lead": "cgzf",
        "cooperating": ["scjg"],
        "legal_basis": "《北京市市容环境卫生条例》第二十一条、第二十三条、第二十四条",
        "sign_limit": 2,
        "complete_limit": 5,
        "limit_unit": "days",
        "public": True,
        "public_title": "沿街店铺门前脏乱",
    },
]


if __name__ == "__main__":
    # Self-check: python portal/duties/demo_data.py
    import collections
    import importlib.util
    from pathlib import Path

    org_path = Path(__file__).resolve().parents[1] / "org" / "demo_data.py"
    spec = importlib.util.spec_from_file_location("org_demo_data", org_path)
    org = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(org)

    problems = []
    dept_codes = {d["code"] for d in org.DEPARTMENTS}
    streets = org.STREETS
    staffed = {u["department"] for s in streets for u in s["units"]}
    staffed_everywhere = {d for d in dept_codes if all(d in {u["department"] for u in s["units"]}
                                                       for s in streets)}
    district_only = set(org.DISTRICT_ONLY_DEPARTMENTS)

    # --- organisation
    if len(streets) != 3:
        problems.append(f"expected 3 streets, got {len(streets)}")
    if len(dept_codes) != len(org.DEPARTMENTS):
        problems.append("duplicate department codes")
    if not district_only <= dept_codes:
        problems.append(f"unknown district-only departments: {district_only - dept_codes}")
    if district_only & staffed:
        problems.append(f"district-only departments that have units: {district_only & staffed}")
    all_codes = collections.Counter()
    grids = 0
    for s in streets:
        all_codes[("street", s["code"])] += 1
        if len(s["communities"]) != 4:
            problems.append(f"{s['code']}: {len(s['communities'])} communities, expected 4")
        for c in s["communities"]:
            all_codes[("community", c["code"])] += 1
            if not 3 <= len(c["grids"]) <= 4:
                problems.append(f"{c['code']}: {len(c['grids'])} grids")
            grids += len(c["grids"])
        for u in s["units"]:
            all_codes[("unit", u["code"])] += 1
            if u["department"] not in dept_codes:
                problems.append(f"unit {u['code']}: unknown department {u['department']}")
        people = org.DEMO_PEOPLE.get(s["code"], [])
        by_unit = collections.defaultdict(list)
        for p in people:
            by_unit[p["unit"]].append(p)
        for u in s["units"]:
            staff = by_unit.get(u["code"], [])
            if len(staff) < 2:
                problems.append(f"unit {u['code']}: {len(staff)} people")
            elif staff[0]["post"] not in ("所长", "队长", "站长"):
                problems.append(f"unit {u['code']}: first person is {staff[0]['post']}, not the chief")
        unknown_units = set(by_unit) - {u["code"] for u in s["units"]}
        if unknown_units:
            problems.append(f"{s['code']}: people in unknown units {unknown_units}")
    problems += [f"duplicate {kind} code {code}" for (kind, code), n in all_codes.items() if n > 1]
    names = [p["name"] for ps in org.DEMO_PEOPLE.values() for p in ps]
    phones = [p["phone"] for ps in org.DEMO_PEOPLE.values() for p in ps]
    if len(set(names)) != len(names) or len(set(phones)) != len(phones):
        problems.append("duplicate people names or phones")
    if not all(len(ph) == 11 and ph.isdigit() and ph.startswith("1") for ph in phones):
        problems.append("malformed mobile number")

    # --- matters
    fields = {"code", "title", "kind", "category", "scenario", "lead", "cooperating", "legal_basis",
              "sign_limit", "complete_limit", "limit_unit", "public", "public_title"}
    matters = DISTRICT_MATTERS + STREET_DUTIES
    codes = collections.Counter(m["code"] for m in matters)
    problems += [f"duplicate matter code {c}" for c, n in codes.items() if n > 1]
    for m in matters:
        where = m.get("code", "?")
        if set(m) != fields:
            problems.append(f"{where}: fields differ: {set(m) ^ fields}")
            continue
        if len(m["code"]) > 32 or len(m["title"]) > 120 or len(m["public_title"]) > 120:
            problems.append(f"{where}: code/title too long")
        if m["category"] not in ("enforcement", "key_work", "emergency", "fallback"):
            problems.append(f"{where}: bad category {m['category']}")
        if m["limit_unit"] not in ("days", "hours"):
            problems.append(f"{where}: bad limit unit")
        if not (isinstance(m["sign_limit"], int) and isinstance(m["complete_limit"], int)
                and 0 < m["sign_limit"] <= m["complete_limit"]):
            problems.append(f"{where}: bad limits {m['sign_limit']}/{m['complete_limit']}")
        if (m["category"] == "emergency" and m["kind"] == "whistle") != (
                m["limit_unit"] == "hours" and m["kind"] == "whistle"):
            problems.append(f"{where}: emergency whistles and only they run in hours")
        if m["public"] and not m["public_title"]:
            problems.append(f"{where}: public item without a public title")
        if not m["scenario"] or "第" not in m["legal_basis"] or "条" not in m["legal_basis"]:
            problems.append(f"{where}: scenario or legal basis (with article) missing")
        refs = ([m["lead"]] if m["lead"] else []) + list(m["cooperating"])
        for d in refs:
            if d not in dept_codes:
                problems.append(f"{where}: unknown department {d}")
            elif d not in staffed_everywhere and d not in district_only:
                problems.append(f"{where}: {d} has units in some streets only")
        if m["lead"] in m["cooperating"]:
            problems.append(f"{where}: lead also listed as cooperating")
        if len(set(m["cooperating"])) != len(m["cooperating"]):
            problems.append(f"{where}: duplicate cooperating department")

    whistles = [m for m in DISTRICT_MATTERS]
    if len(whistles) != 45 or any(m["kind"] != "whistle" for m in whistles):
        problems.append(f"expected 45 whistle items, got {len(whistles)}")
    if not any("群租" in m["title"] for m in whistles) or not any("违建" in m["title"] for m in whistles):
        problems.append("titles with 群租 and 违建 are required")
    internal = sum(not m["public"] for m in whistles)
    if not 3 <= internal <= 5:
        problems.append(f"{internal} internal whistle items, expected 3-5")
    if any(m["kind"] not in ("duty", "shared") for m in STREET_DUTIES):
        problems.append("street list holds only duty and shared items")
    if any(m["kind"] == "shared" and not m["lead"] for m in STREET_DUTIES):
        problems.append("shared items need a lead department")
    if STREET_DUTIES_STREET != streets[0]["code"]:
        problems.append("STREET_DUTIES_STREET is not the first street")

    by_cat = collections.Counter(m["category"] for m in whistles)
    print("district whistle items:", len(whistles), dict(by_cat), f"internal={internal}")
    print("street list:", len(STREET_DUTIES), dict(collections.Counter(m["kind"] for m in STREET_DUTIES)))
    print("organisation:", len(org.DEPARTMENTS), "departments,", len(streets), "streets,",
          sum(len(s["communities"]) for s in streets), "communities,", grids, "grids,",
          sum(len(s["units"]) for s in streets), "units,", len(names), "people")
    used = {d for m in matters for d in ([m["lead"]] if m["lead"] else []) + m["cooperating"]}
    print("departments never summoned:", sorted(dept_codes - used) or "none")
    if problems:
        print("\n".join("PROBLEM: " + p for p in problems))
        raise SystemExit(1)
    print("OK")
