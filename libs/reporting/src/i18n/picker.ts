import type { AreaMessages } from './types';

/** The unit picker of the forms (a search field that looks units up on the server). */
export const picker: AreaMessages = {
  zh: {
    'picker.unit.hint': '输入单位名称或统一社会信用代码的一部分，从列表中选择。',
    'picker.unit.noMatch': '没有名称或信用代码包含「{q}」的单位',
    'picker.unit.several': '有 {n} 个单位符合「{q}」，请在下面选择一个',
    'picker.unit.choose': '选择单位',
    'picker.unit.more': '只列出前 {n} 个，请输入更完整的名称',
    'picker.unit.results': '找到 {n} 个单位',
  },
  en: {
    'picker.unit.hint': 'Type part of the unit’s name or credit code and choose it from the list.',
    'picker.unit.noMatch': 'No unit’s name or credit code contains “{q}”',
    'picker.unit.several': '{n} units match “{q}”: choose one below',
    'picker.unit.choose': 'Choose the unit',
    'picker.unit.more': 'Only the first {n} are listed: type more of the name',
    'picker.unit.results': '{n} units found',
  },
};
