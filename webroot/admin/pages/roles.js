/* The roles as people choose them: a select with what each role may do. */
import { h } from '../lib/dom.js';
import { grantableRoles } from '../lib/session.js';

export const ROLE_TEXT = {
  owner: 'Owner: everything',
  admin: 'Admin: everything except managing owners',
  editor: 'Editor: bots, keys, knowledge and settings',
  agent: 'Agent: conversations only',
  viewer: 'Viewer: reads bots, conversations and usage'
};

/** A select of the roles the signed-in person may give, with selected chosen (also after a form reset). */
export function roleSelect(selected, onChange) {
  const select = h('select', { on: { change: () => onChange(select.value) } },
    grantableRoles().map((r) => h('option', { value: r, selected: r === selected ? 'selected' : null }, ROLE_TEXT[r])));
  return select;
}
