/*
 * Place data for demonstration units: one city table for Guangdong (the default demo province) and the
 * capital of every other province, with their newspapers. Division codes follow GB/T 2260.
 */

export interface DemoCity {
  /** As written in a unit's name: '广州市', or '北京' for a municipality. */
  name: string;
  /** GB/T 2260 code of the city. */
  code: string;
  /** The city's own (municipal-level) newspaper. */
  paper: string;
  /** Districts for regional demonstration units: [name, GB/T 2260 code]. */
  districts: [string, string][];
}

export interface DemoProvincePlaces {
  /** Short name for journals and titles: '广东'. */
  short: string;
  /** The provincial party newspaper (provincial-level media). */
  paper: string;
  cities: DemoCity[];
}

const GUANGDONG: DemoProvincePlaces = {
  short: '广东',
  paper: '南方日报',
  cities: [
    {
      name: '广州市',
      code: '440100',
      paper: '广州日报',
      districts: [
        ['天河区', '440106'],
        ['越秀区', '440104'],
        ['番禺区', '440113'],
      ],
    },
    {
      name: '深圳市',
      code: '440300',
      paper: '深圳特区报',
      districts: [
        ['南山区', '440305'],
        ['福田区', '440304'],
      ],
    },
    { name: '佛山市', code: '440600', paper: '佛山日报', districts: [['顺德区', '440606']] },
    { name: '东莞市', code: '441900', paper: '东莞日报', districts: [] },
    { name: '珠海市', code: '440400', paper: '珠海特区报', districts: [['香洲区', '440402']] },
    { name: '中山市', code: '442000', paper: '中山日报', districts: [] },
    { name: '惠州市', code: '441300', paper: '惠州日报', districts: [['惠城区', '441302']] },
    { name: '江门市', code: '440700', paper: '江门日报', districts: [['新会区', '440705']] },
    { name: '汕头市', code: '440500', paper: '汕头日报', districts: [] },
    { name: '湛江市', code: '440800', paper: '湛江日报', districts: [] },
    { name: '肇庆市', code: '441200', paper: '西江日报', districts: [] },
    { name: '梅州市', code: '441400', paper: '梅州日报', districts: [['梅江区', '441402']] },
  ],
};

/** [province code, short name, provincial paper, capital as written in names, capital code, municipal paper]. */
const CAPITALS: [string, string, string, string, string, string][] = [
  ['11', '北京', '北京日报', '北京', '110100', '北京晚报'],
  ['12', '天津', '天津日报', '天津', '120100', '今晚报'],
  ['13', '河北', '河北日报', '石家庄市', '130100', '石家庄日报'],
  ['14', '山西', '山西日报', '太原市', '140100', '太原日报'],
  ['15', '内蒙古', '内蒙古日报', '呼和浩特市', '150100', '呼和浩特日报'],
  ['21', '辽宁', '辽宁日报', '沈阳市', '210100', '沈阳日报'],
  ['22', '吉林', '吉林日报', '长春市', '220100', '长春日报'],
  ['23', '黑龙江', '黑龙江日报', '哈尔滨市', '230100', '哈尔滨日报'],
  ['31', '上海', '解放日报', '上海', '310100', '新民晚报'],
  ['32', '江苏', '新华日报', '南京市', '320100', '南京日报'],
  ['33', '浙江', '浙江日报', '杭州市', '330100', '杭州日报'],
  ['34', '安徽', '安徽日报', '合肥市', '340100', '合肥晚报'],
  ['35', '福建', '福建日报', '福州市', '350100', '福州日报'],
  ['36', '江西', '江西日报', '南昌市', '360100', '南昌日报'],
  ['37', '山东', '大众日报', '济南市', '370100', '济南日报'],
  ['41', '河南', '河南日报', '郑州市', '410100', '郑州日报'],
  ['42', '湖北', '湖北日报', '武汉市', '420100', '长江日报'],
  ['43', '湖南', '湖南日报', '长沙市', '430100', '长沙晚报'],
  ['45', '广西', '广西日报', '南宁市', '450100', '南宁日报'],
  ['46', '海南', '海南日报', '海口市', '460100', '海口日报'],
  ['50', '重庆', '重庆日报', '重庆', '500100', '重庆晚报'],
  ['51', '四川', '四川日报', '成都市', '510100', '成都日报'],
  ['52', '贵州', '贵州日报', '贵阳市', '520100', '贵阳日报'],
  ['53', '云南', '云南日报', '昆明市', '530100', '昆明日报'],
  ['54', '西藏', '西藏日报', '拉萨市', '540100', '拉萨日报'],
  ['61', '陕西', '陕西日报', '西安市', '610100', '西安日报'],
  ['62', '甘肃', '甘肃日报', '兰州市', '620100', '兰州日报'],
  ['63', '青海', '青海日报', '西宁市', '630100', '西宁晚报'],
  ['64', '宁夏', '宁夏日报', '银川市', '640100', '银川日报'],
  ['65', '新疆', '新疆日报', '乌鲁木齐市', '650100', '乌鲁木齐晚报'],
  ['66', '兵团', '兵团日报', '石河子市', '659001', '石河子日报'],
];

/** Places of a province: the Guangdong table, or the capital of another province. */
export function placesOf(province: string): DemoProvincePlaces {
  if (province === '44') return GUANGDONG;
  const row = CAPITALS.find((c) => c[0] === province);
  if (!row) throw new RangeError(`no demo places for province ${province}`);
  const [, short, paper, city, code, cityPaper] = row;
  return { short, paper, cities: [{ name: city, code, paper: cityPaper, districts: [] }] };
}
