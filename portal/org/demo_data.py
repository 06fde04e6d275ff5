"""Demo organisation content: a fictional Beijing-style district (嘉禾区).

Pure data, no database code: `portal.org.demo` seeds it, the roster module reads DEMO_PEOPLE.
Every name, street, community and phone number here is invented.

Shape:
- DISTRICT: {"code", "name"}
- DEPARTMENTS: district functional departments (区职能部门), {"code", "name", "short_name"}
- STREETS: exactly three streets (街道), each with four communities (社区) of 3-4 grids (网格)
  and the units (派驻机构) that departments keep in that street
- DISTRICT_ONLY_DEPARTMENTS: departments with no unit in any street; a whistle that summons
  them reaches the district department itself
- DEMO_PEOPLE: per street, the staff of each unit; each unit's chief is listed first
"""

DISTRICT = {"code": "JH", "name": "嘉禾区"}

DEPARTMENTS = [
    # The "1" of "1+5+N": the core of every street's integrated enforcement center.
    {"code": "cgzf", "name": "嘉禾区城市管理综合行政执法局", "short_name": "城管执法局"},
    # The "5": stationed full time (公安, 消防, 交通, 工商/食药 = 市场监管).
    {"code": "gaj", "name": "北京市公安局嘉禾分局", "short_name": "公安分局"},
    {"code": "xf", "name": "嘉禾区消防救援支队", "short_name": "消防救援支队"},
    {"code": "jtzd", "name": "北京市公安局公安交通管理局嘉禾交通支队", "short_name": "交通支队"},
    {"code": "scjg", "name": "嘉禾区市场监督管理局", "short_name": "市场监管局"},
    # The "N": come when called (随叫随到).
    {"code": "zjw", "name": "嘉禾区住房和城乡建设委员会", "short_name": "住建委"},
    {"code": "ghzr", "name": "北京市规划和自然资源委员会嘉禾分局", "short_name": "规划和自然资源分局"},
    {"code": "ylhj", "name": "嘉禾区园林绿化局", "short_name": "园林绿化局"},
    {"code": "whly", "name": "嘉禾区文化和旅游局", "short_name": "文化和旅游局"},
    {"code": "sthj", "name": "嘉禾区生态环境局", "short_name": "生态环境局"},
    {"code": "yjgl", "name": "嘉禾区应急管理局", "short_name": "应急管理局"},
    {"code": "sfj", "name": "嘉禾区司法局", "short_name": "司法局"},
    {"code": "swj", "name": "嘉禾区水务局", "short_name": "水务局"},
    {"code": "wjw", "name": "嘉禾区卫生健康委员会", "short_name": "卫健委"},
    {"code": "fgj", "name": "嘉禾区房屋管理局", "short_name": "房管局"},
    {"code": "cgw", "name": "嘉禾区城市管理委员会", "short_name": "城管委"},
    {"code": "jtw", "name": "嘉禾区交通委员会", "short_name": "交通委"},
    {"code": "mzj", "name": "嘉禾区民政局", "short_name": "民政局"},
    {"code": "rfb", "name": "嘉禾区人民防空办公室", "short_name": "人防办"},
]

# Departments that keep no unit in the streets: summoned directly at district level.
DISTRICT_ONLY_DEPARTMENTS = ["zjw", "whly", "sthj", "yjgl", "swj", "wjw", "cgw", "jtw", "mzj", "rfb"]

STREETS = [
    {
        "code": "qt",
        "name": "青檀街道",
        "communities": [
            {"code": "qt-bl", "name": "青檀北里社区", "grids": ["第一网格", "第二网格", "第三网格", "第四网格"]},
            {"code": "qt-tlx", "name": "铜铃巷社区", "grids": ["第一网格", "第二网格", "第三网格"]},
            {"code": "qt-yxf", "name": "银杏坊社区", "grids": ["第一网格", "第二网格", "第三网格"]},
            {"code": "qt-sxy", "name": "书香苑社区", "grids": ["第一网格", "第二网格", "第三网格", "第四网格"]},
        ],
        "units": [
            {"code": "qt-zfd", "department": "cgzf", "name": "青檀街道城管执法队", "phone": "010-64312201"},
            {"code": "qt-pcs", "department": "gaj", "name": "青檀派出所", "phone": "010-64312110"},
            {"code": "qt-xfz", "department": "xf", "name": "青檀消防救援站", "phone": "010-64312119"},
            {"code": "qt-jtd", "department": "jtzd", "name": "青檀交通队", "phone": "010-64312122"},
            {"code": "qt-scjgs", "department": "scjg", "name": "青檀市场监管所", "phone": "010-64312315"},
            {"code": "qt-sfs", "department": "sfj", "name": "青檀司法所", "phone": "010-64312148"},
            {"code": "qt-fgs", "department": "fgj", "name": "青檀房管所", "phone": "010-64312236"},
            {"code": "qt-gzs", "department": "ghzr", "name": "青檀规划自然资源所", "phone": "010-64312257"},
            {"code": "qt-yls", "department": "ylhj", "name": "青檀园林绿化所", "phone": "010-64312268"},
        ],
    },
    {
        "code": "hy",
        "name": "槐荫街道",
        "communities": [
            {"code": "hy-dl", "name": "槐荫东里社区", "grids": ["第一网格", "第二网格", "第三网格"]},
            {"code": "hy-wyx", "name": "瓦窑巷社区", "grids": ["第一网格", "第二网格", "第三网格", "第四网格"]},
            {"code": "hy-mgy", "name": "明光苑社区", "grids": ["第一网格", "第二网格", "第三网格"]},
            {"code": "hy-xlf", "name": "兴隆坊社区", "grids": ["第一网格", "第二网格", "第三网格"]},
        ],
        "units": [
            {"code": "hy-zfd", "department": "cgzf", "name": "槐荫街道城管执法队", "phone": "010-65873301"},
            {"code": "hy-pcs", "department": "gaj", "name": "槐荫派出所", "phone": "010-65873110"},
            {"code": "hy-xfz", "department": "xf", "name": "槐荫消防救援站", "phone": "010-65873119"},
            {"code": "hy-jtd", "department": "jtzd", "name": "槐荫交通队", "phone": "010-65873122"},
            {"code": "hy-scjgs", "department": "scjg", "name": "槐荫市场监管所", "phone": "010-65873315"},
            {"code": "hy-sfs", "department": "sfj", "name": "槐荫司法所", "phone": "010-65873148"},
            {"code": "hy-fgs", "department": "fgj", "name": "槐荫房管所", "phone": "010-65873236"},
            {"code": "hy-gzs", "department": "ghzr", "name": "槐荫规划自然资源所", "phone": "010-65873257"},
            {"code": "hy-yls", "department": "ylhj", "name": "槐荫园林绿化所", "phone": "010-65873268"},
        ],
    },
    {
        "code": "jq",
        "name": "金泉街道",
        "communities": [
            {"code": "jq-nl", "name": "金泉南里社区", "grids": ["第一网格", "第二网格", "第三网格", "第四网格"]},
            {"code": "jq-qs", "name": "泉水胡同社区", "grids": ["第一网格", "第二网格", "第三网格"]},
            {"code": "jq-xqy", "name": "新桥苑社区", "grids": ["第一网格", "第二网格", "第三网格"]},
            {"code": "jq-llj", "name": "琉璃井社区", "grids": ["第一网格", "第二网格", "第三网格"]},
        ],
        "units": [
            {"code": "jq-zfd", "department": "cgzf", "name": "金泉街道城管执法队", "phone": "010-83624401"},
            {"code": "jq-pcs", "department": "gaj", "name": "金泉派出所", "phone": "010-83624110"},
            {"code": "jq-xfz", "department": "xf", "name": "金泉消防救援站", "phone": "010-83624119"},
            {"code": "jq-jtd", "department": "jtzd", "name": "金泉交通队", "phone": "010-83624122"},
            {"code": "jq-scjgs", "department": "scjg", "name": "金泉市场监管所", "phone": "010-83624315"},
            {"code": "jq-sfs", "department": "sfj", "name": "金泉司法所", "phone": "010-83624148"},
            {"code": "jq-fgs", "department": "fgj", "name": "金泉房管所", "phone": "010-83624236"},
            {"code": "jq-gzs", "department": "ghzr", "name": "金泉规划自然资源所", "phone": "010-83624257"},
            {"code": "jq-yls", "department": "ylhj", "name": "金泉园林绿化所", "phone": "010-83624268"},
        ],
    },
]

# Staff of each unit, per street, for the roster (综合执法中心 1+5+N). The chief (队长/所长/站长)
# comes first in each unit; every unit has at least two people. All names and numbers are invented.
DEMO_PEOPLE = {
    "qt": [
        {"name": "余昊天", "phone": "18563047923", "unit": "qt-zfd", "post": "队长"},
        {"name": "姚诗雨", "phone": "15902996682", "unit": "qt-zfd", "post": "副队长"},
        {"name": "赵福来", "phone": "13151737637", "unit": "qt-zfd", "post": "执法队员"},
        {"name": "傅子墨", "phone": "13250235920", "unit": "qt-zfd", "post": "执法队员"},
        {"name": "董雨桐", "phone": "13542032546", "unit": "qt-zfd", "post": "执法队员"},
        {"name": "秦欣怡", "phone": "18648335662", "unit": "qt-pcs", "post": "所长"},
        {"name": "雷雨桐", "phone": "13876562738", "unit": "qt-pcs", "post": "教导员"},
        {"name": "邹学军", "phone": "15912369383", "unit": "qt-pcs", "post": "社区民警"},
        {"name": "谭涛", "phone": "15994217020", "unit": "qt-pcs", "post": "社区民警"},
        {"name": "曹国强", "phone": "13118959512", "unit": "qt-xfz", "post": "站长"},
        {"name": "易晨曦", "phone": "13642016585", "unit": "qt-xfz", "post": "防火监督员"},
        {"name": "钱永刚", "phone": "13792270692", "unit": "qt-jtd", "post": "队长"},
        {"name": "范勇", "phone": "15859366270", "unit": "qt-jtd", "post": "交通民警"},
        {"name": "胡子墨", "phone": "13756533470", "unit": "qt-jtd", "post": "交通民警"},
        {"name": "龙洋", "phone": "18601860533", "unit": "qt-scjgs", "post": "所长"},
        {"name": "武淑珍", "phone": "15932139734", "unit": "qt-scjgs", "post": "监管员"},
        {"name": "余博", "phone": "18566279511", "unit": "qt-scjgs", "post": "监管员"},
        {"name": "唐立伟", "phone": "13888584341", "unit": "qt-sfs", "post": "所长"},
        {"name": "顾鹏", "phone": "15805036573", "unit": "qt-sfs", "post": "司法助理员"},
        {"name": "朱俊杰", "phone": "13624460771", "unit": "qt-fgs", "post": "所长"},
        {"name": "胡洋", "phone": "13225752330", "unit": "qt-fgs", "post": "房管员"},
        {"name": "任涛", "phone": "13798375973", "unit": "qt-gzs", "post": "所长"},
        {"name": "白嘉怡", "phone": "13581444011", "unit": "qt-gzs", "post": "规划监察员"},
        {"name": "汪秋菊", "phone": "13836050701", "unit": "qt-yls", "post": "所长"},
        {"name": "刘思远", "phone": "15200434580", "unit": "qt-yls", "post": "绿化管理员"},
    ],
    "hy": [
        {"name": "蒋德胜", "phone": "15909733916", "unit": "hy-zfd", "post": "队长"},
        {"name": "张家豪", "phone": "13258869379", "unit": "hy-zfd", "post": "副队长"},
        {"name": "陈春生", "phone": "13708060756", "unit": "hy-zfd", "post": "执法队员"},
        {"name": "胡亚楠", "phone": "13621808590", "unit": "hy-zfd", "post": "执法队员"},
        {"name": "常若溪", "phone": "13730798412", "unit": "hy-zfd", "post": "执法队员"},
        {"name": "薛俊杰", "phone": "13944753307", "unit": "hy-pcs", "post": "所长"},
        {"name": "尹少华", "phone": "13198930695", "unit": "hy-pcs", "post": "教导员"},
        {"name": "方颖", "phone": "13819007861", "unit": "hy-pcs", "post": "社区民警"},
        {"name": "刘亚军", "phone": "13869950337", "unit": "hy-pcs", "post": "社区民警"},
        {"name": "邹福来", "phone": "13789881196", "unit": "hy-xfz", "post": "站长"},
        {"name": "许诗雨", "phone": "15900813240", "unit": "hy-xfz", "post": "防火监督员"},
        {"name": "张向阳", "phone": "15885061743", "unit": "hy-jtd", "post": "队长"},
        {"name": "冯博", "phone": "13916281053", "unit": "hy-jtd", "post": "交通民警"},
        {"name": "萧博", "phone": "15831237234", "unit": "hy-jtd", "post": "交通民警"},
        {"name": "文会英", "phone": "18572665531", "unit": "hy-scjgs", "post": "所长"},
        {"name": "杜金凤", "phone": "13629139143", "unit": "hy-scjgs", "post": "监管员"},
        {"name": "沈亚军", "phone": "18541279520", "unit": "hy-scjgs", "post": "监管员"},
        {"name": "任国庆", "phone": "18632791777", "unit": "hy-sfs", "post": "所长"},
        {"name": "乔跃进", "phone": "13823999587", "unit": "hy-sfs", "post": "司法助理员"},
        {"name": "程诗雨", "phone": "13158814485", "unit": "hy-fgs", "post": "所长"},
        {"name": "潘景明", "phone": "18533391790", "unit": "hy-fgs", "post": "房管员"},
        {"name": "余霞", "phone": "18518375721", "unit": "hy-gzs", "post": "所长"},
        {"name": "叶铁军", "phone": "13223453467", "unit": "hy-gzs", "post": "规划监察员"},
        {"name": "唐亚军", "phone": "13295532519", "unit": "hy-yls", "post": "所长"},
        {"name": "姚淑珍", "phone": "18566463201", "unit": "hy-yls", "post": "绿化管理员"},
    ],
    "jq": [
        {"name": "周诗雨", "phone": "13730034120", "unit": "jq-zfd", "post": "队长"},
        {"name": "林跃进", "phone": "18619951223", "unit": "jq-zfd", "post": "副队长"},
        {"name": "傅向阳", "phone": "18544060292", "unit": "jq-zfd", "post": "执法队员"},
        {"name": "姜金凤", "phone": "13501205209", "unit": "jq-zfd", "post": "执法队员"},
        {"name": "史敏", "phone": "13696641351", "unit": "jq-zfd", "post": "执法队员"},
        {"name": "孟晨曦", "phone": "15807272402", "unit": "jq-pcs", "post": "所长"},
        {"name": "田春明", "phone": "13984668432", "unit": "jq-pcs", "post": "教导员"},
        {"name": "江健", "phone": "18619169633", "unit": "jq-pcs", "post": "社区民警"},
        {"name": "邱会英", "phone": "13901196757", "unit": "jq-pcs", "post": "社区民警"},
        {"name": "王洋", "phone": "15999763531", "unit": "jq-xfz", "post": "站长"},
        {"name": "邹秀英", "phone": "15212997880", "unit": "jq-xfz", "post": "防火监督员"},
        {"name": "魏新民", "phone": "13989452752", "unit": "jq-jtd", "post": "队长"},
        {"name": "唐天佑", "phone": "13791404301", "unit": "jq-jtd", "post": "交通民警"},
        {"name": "孙嘉怡", "phone": "13113672844", "unit": "jq-jtd", "post": "交通民警"},
        {"name": "汤霞", "phone": "13741233101", "unit": "jq-scjgs", "post": "所长"},
        {"name": "易建华", "phone": "13942520732", "unit": "jq-scjgs", "post": "监管员"},
        {"name": "朱家豪", "phone": "13945318564", "unit": "jq-scjgs", "post": "监管员"},
        {"name": "孟永刚", "phone": "13696195036", "unit": "jq-sfs", "post": "所长"},
        {"name": "贾爱华", "phone": "15862025011", "unit": "jq-sfs", "post": "司法助理员"},
        {"name": "崔景明", "phone": "18653582591", "unit": "jq-fgs", "post": "所长"},
        {"name": "谢鹏", "phone": "18670064254", "unit": "jq-fgs", "post": "房管员"},
        {"name": "唐少华", "phone": "13717364189", "unit": "jq-gzs", "post": "所长"},
        {"name": "乔亚楠", "phone": "15886724327", "unit": "jq-gzs", "post": "规划监察员"},
        {"name": "常保平", "phone": "13960643513", "unit": "jq-yls", "post": "所长"},
        {"name": "叶雨桐", "phone": "15283430150", "unit": "jq-yls", "post": "绿化管理员"},
    ],
}
