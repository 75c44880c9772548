/**
 * Names and identity numbers of the synthetic province: people (with 复姓), enterprises, sole traders and
 * other organisations, their USCCs and 身份证号. All are made up from common parts, so they read as
 * plausible without being anyone in particular; agencies carry （演示） in their names (see agencies.ts).
 * Every character used is in GBK, so the GBK files carry the same text as the UTF-8 ones.
 */
import compoundSurnames from '../../src/domain/data/compound-surnames.json';
import { usccCheckCharacter } from '../../src/domain/uscc';
import type { Random, Weighted } from './random';

/** Common single surnames, weighted towards those frequent in 闽南 (陈, 林, 黄, 张, 吴, 王, 李, 郑, 蔡, 许). */
const SURNAMES: Weighted<string> = [
  ['陈', 11], ['林', 9], ['黄', 7], ['张', 5], ['吴', 5], ['王', 5], ['李', 5], ['郑', 4], ['蔡', 3], ['许', 3],
  ['刘', 3], ['杨', 3], ['洪', 2], ['苏', 2], ['庄', 2], ['曾', 2], ['叶', 2], ['周', 2], ['谢', 2], ['邱', 1.5],
  ['赖', 1.5], ['詹', 1], ['施', 1], ['柯', 1], ['颜', 1], ['卢', 1], ['徐', 1], ['朱', 1], ['何', 1], ['郭', 1],
  ['高', 1], ['罗', 1], ['余', 1], ['彭', 1], ['游', 1], ['戴', 1], ['孙', 1], ['马', 1], ['胡', 1], ['方', 1],
  ['傅', 0.8], ['魏', 0.8], ['潘', 0.8], ['唐', 0.8], ['肖', 0.8], ['连', 0.5], ['龚', 0.5], ['江', 0.5], ['卓', 0.5],
  ['钟', 0.5], ['姚', 0.5], ['宋', 0.5], ['范', 0.5], ['纪', 0.5], ['涂', 0.5], ['温', 0.5], ['丁', 0.5], ['严', 0.5],
];
/** The commoner 复姓 from the masking rules' list: a name like 欧阳志明 must be masked to 欧阳**. */
const COMPOUND = (compoundSurnames as string[]).slice(0, 14);
const GIVEN = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '兰', '霞', '平',
  '刚', '英', '华', '建', '国', '志', '文', '辉', '金', '荣', '福', '春', '海', '清', '秀', '玲', '燕', '红', '鹏', '宇',
  '晓', '雪', '琳', '婷', '鑫', '斌', '斯', '思', '梅', '凤', '彬', '永', '水', '添', '木', '成', '德', '智', '阳', '嘉',
  '惠', '雅', '欣', '怡', '博', '航', '毅', '振', '东', '锦', '宏', '泽', '瑜', '萍', '珍', '珊', '淑', '慧', '俊', '峰',
];

export function personName(rng: Random): string {
  const surname = rng.chance(0.03) ? rng.pick(COMPOUND) : rng.weighted(SURNAMES);
  const given = rng.chance(0.25) ? rng.pick(GIVEN) : rng.pick(GIVEN) + rng.pick(GIVEN);
  return surname + given;
}

const BRAND = [
  '鑫', '华', '盛', '达', '源', '泰', '宏', '兴', '福', '瑞', '恒', '安', '信', '德', '隆', '昌', '锦', '荣', '晟', '嘉',
  '顺', '丰', '利', '祥', '和', '佳', '宝', '海', '鸿', '裕', '金', '闽', '通', '正', '诚', '永', '广', '新', '航', '凯',
];
const INDUSTRY: Weighted<string> = [
  ['贸易', 5], ['建筑工程', 3], ['食品', 3], ['餐饮管理', 3], ['物流', 2], ['电子科技', 2], ['纺织', 2], ['鞋业', 2],
  ['石材', 1.5], ['茶业', 1.5], ['陶瓷', 1], ['机械', 1.5], ['化工', 1], ['医药', 1], ['房地产开发', 1], ['环保科技', 1],
  ['汽车服务', 1], ['建材', 1.5], ['服装', 2], ['包装', 1], ['水产', 1], ['文化传媒', 1], ['物业管理', 1], ['网络科技', 1.5],
];
const SHOP: Weighted<string> = [
  ['小吃店', 4], ['便利店', 4], ['五金店', 2], ['水果店', 2], ['理发店', 2], ['茶叶店', 2], ['汽车修理部', 2],
  ['副食品店', 3], ['服装店', 2], ['烟酒商行', 2], ['海鲜排档', 1], ['沙县小吃', 1], ['农资店', 1], ['网吧', 0.5],
];
const ORG: Weighted<readonly [string, string]> = [
  // [name ending, USCC 登记管理部门码 + 机构类别码]
  [['农民专业合作社', '93'], 4], [['行业协会', '51'], 1], [['培训学校', '52'], 1.5], [['养老服务中心', '52'], 1],
  [['幼儿园', '52'], 1], [['商会', '51'], 0.5],
];

function brand(rng: Random): string {
  const first = rng.pick(BRAND);
  let second = rng.pick(BRAND);
  while (second === first) second = rng.pick(BRAND);
  return first + second;
}

/** A place name without its 省/市/区/县 suffix, as enterprises put it in front: 泉州, 晋江, 鲤城 */
export function shortPlace(name: string): string {
  const stripped = name.replace(/(特别行政区|自治州|自治县|地区|新区|开发区|市|区|县|镇|乡|街道)$/u, '');
  return stripped.length >= 2 ? stripped : name;
}

export function enterpriseName(rng: Random, place: string): string {
  const form = rng.chance(0.12) ? '股份有限公司' : '有限公司';
  return `${shortPlace(place)}${brand(rng)}${rng.weighted(INDUSTRY)}${form}`;
}

export function soleTraderName(rng: Random, place: string): string {
  return `${shortPlace(place)}${brand(rng)}${rng.weighted(SHOP)}`;
}

export function otherOrganisation(rng: Random, place: string): { name: string; usccPrefix: string } {
  const [ending, prefix] = rng.weighted(ORG);
  return { name: `${shortPlace(place)}${brand(rng)}${ending}`, usccPrefix: prefix };
}

// ---------------------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------------------

/** GB 32100 代码字符集 (no I, O, Z, S, V) */
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11714 value of a body character: digits 0–9, letters A=10 … Z=35. */
function gb11714Value(ch: string): number {
  const code = ch.charCodeAt(0);
  return code <= 57 ? code - 48 : code - 55;
}

/**
 * A 9-character 组织机构代码: 8 body characters and its GB 11714 check character. New registrations mostly
 * start with MA (市场主体) or are all digits (机关); bodies whose check would be X keep it.
 */
export function organisationCode(rng: Random, style: 'digits' | 'market'): string {
  let body = style === 'market' ? 'MA' : '';
  while (body.length < 8) {
    body += style === 'market' && body.length >= 2 && rng.chance(0.35)
      ? USCC_CHARSET[10 + rng.int(0, USCC_CHARSET.length - 11)]!
      : String(rng.int(0, 9));
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += gb11714Value(body[i]!) * GB11714_WEIGHTS[i]!;
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

/** A valid USCC: 2-character prefix (登记管理部门 + 机构类别), the registering region, an organisation code. */
export function uscc(prefix: string, regionCode6: string, orgCode: string): string {
  const first17 = `${prefix}${regionCode6}${orgCode}`;
  return first17 + usccCheckCharacter(first17);
}

/** The same USCC with a different, wrong, check character (a deliberately bad row). */
export function wrongCheckCharacter(code: string, rng: Random): string {
  const right = code[17]!;
  let wrong = rng.pick([...USCC_CHARSET]);
  while (wrong === right) wrong = rng.pick([...USCC_CHARSET]);
  return code.slice(0, 17) + wrong;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** A 居民身份证号码 (GB 11643) of a synthetic person born in `county` between 1955 and 2004. */
export function identityNumber(rng: Random, county: string): string {
  const year = rng.int(1955, 2004);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const body = `${county}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(rng.int(0, 999)).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * ID_WEIGHTS[i]!;
  return body + ID_CHECK[sum % 11]!;
}
