// The botrunner operator console: plain JavaScript over the admin API (docs/runner.md, "Web
// console"). Every piece of data reaches the page through textContent or an attribute set from
// a checked value, never through innerHTML: a user's "<img src=x onerror=...>" stays text.
'use strict';

const state = {
  csrf: '',
  agent: '',
  current: null,
  events: null,
  inbox: [],
  templates: [],
  templateVars: {}
};

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class LoginNeeded extends Error {}

// Calls the API; a 401 (no login, expired session) shows the login form with its reason.
async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({error: 'the server answered ' + res.status}));
  if (res.status === 401) {
    showLogin(data.error);
    throw new LoginNeeded(data.error);
  }
  if (!res.ok) throw new Error(data.error || 'the server answered ' + res.status);
  return data;
}

function showLogin(message) {
  if (state.events) state.events.close();
  state.events = null;
  state.current = null;
  $('desk').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').focus();
}

function showDesk(session) {
  state.csrf = session.csrf;
  state.agent = session.agent;
  $('agent').textContent = session.agent + ' (' + session.role + ')';
  $('login').hidden = true;
  $('desk').hidden = false;
  listen();
  loadInbox();
  openLinked();
}

function waited(since) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000));
  if (minutes < 1) return 'waiting < 1 min';
  if (minutes < 60) return 'waiting ' + minutes + ' min';
  const hours = Math.floor(minutes / 60);
  return 'waiting ' + hours + ' h ' + (minutes % 60) + ' min';
}

function renderInbox() {
  const list = $('inbox');
  list.replaceChildren();
  for (const c of state.inbox) {
    const item = el('li', c.id === state.current ? 'selected' : '');
    const button = el('button', 'inbox-item');
    button.type = 'button';
    button.dataset.id = String(c.id);
    button.append(el('strong', '', c.name || c.contact), el('span', 'muted', c.contact));
    button.append(el('span', 'waited', waited(c.last_inbound_at || c.last_activity)));
    if (c.claimed_by) button.append(el('span', 'claim', 'claimed by ' + c.claimed_by));
    button.append(el('span', 'last', c.last_text));
    button.addEventListener('click', () => openConversation(c.id));
    item.append(button);
    list.append(item);
  }
  $('inbox-empty').hidden = state.inbox.length > 0;
}

async function loadInbox() {
  try {
    const data = await api('GET', '/admin/api/conversations?status=handoff&limit=200');
    state.inbox = data.conversations;
    renderInbox();
  } catch (e) {
    if (!(e instanceof LoginNeeded)) $('conv-error').textContent = e.message;
  }
}

function mediaNode(media, message) {
  const file = String(media.path || '').split('/').pop();
  const url = '/admin/media/' + encodeURIComponent(file);
  const type = String(media.content_type || '');
  if (type.startsWith('image/')) {
    const img = el('img', 'media-image');
    img.src = url;
    img.alt = 'image from the user';
    return img;
  }
  if (type.startsWith('audio/')) {
    const box = el('div', 'voice');
    const audio = el('audio');
    audio.controls = true;
    audio.src = url;
    box.append(audio);
    if (message.transcript) box.append(el('p', 'transcript', '“' + message.transcript + '”'));
    return box;
  }
  const link = el('a', 'document', 'Document (' + (type || 'file') + ')');
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener';
  return link;
}

function renderConversation(data) {
  const c = data.conversation;
  $('conversation').hidden = false;
  $('conv-title').textContent = (c.name ? c.name + ' · ' : '') + c.contact;
  const meta = [
    c.status, c.dialog + ' / ' + c.state,
    c.claimed_by ? 'claimed by ' + c.claimed_by : 'not claimed',
    data.window_open ? '24 h window open' : '24 h window closed: templates only'
  ];
  $('conv-meta').textContent = meta.join(' · ');
  const list = $('transcript');
  list.replaceChildren();
  for (const m of data.messages) {
    const item = el('li', 'message ' + m.direction + ' ' + m.author);
    item.dataset.id = String(m.id);
    const who = m.author === 'agent' ? (m.agent || 'agent') : m.author;
    item.append(el('span', 'who', who + ' · ' + new Date(m.created_at).toLocaleString()));
    for (const media of m.media || []) item.append(mediaNode(media, m));
    if (m.text) item.append(el('p', 'text', m.text));
    if (m.transcript && !(m.media || []).some((x) => String(x.content_type).startsWith('audio/'))) {
      item.append(el('p', 'transcript', '“' + m.transcript + '”'));
    }
    if (m.direction === 'out') item.append(el('span', 'status', m.status));
    list.append(item);
  }
  list.scrollTop = list.scrollHeight;
  const mine = c.claimed_by === state.agent;
  $('claim').disabled = c.status !== 'handoff' && c.status !== 'active' || mine;
  $('release').disabled = c.status !== 'handoff';
  $('close').disabled = c.status !== 'handoff' && c.status !== 'active';
  // Outside WhatsApp's 24 h window only an approved template may be sent: the dialog's.
  const templatesOnly = !data.window_open && c.status === 'handoff';
  $('reply-form').hidden = templatesOnly;
  $('reply').disabled = !data.window_open || c.status !== 'handoff';
  $('template-form').hidden = !templatesOnly;
  if (templatesOnly) renderTemplates(data);
}

// The dialog's templates: a select, and one input per variable (filled from the session's
// variables when it has them).
function renderTemplates(data) {
  state.templates = data.templates || [];
  state.templateVars = (data.session && data.session.vars) || {};
  const select = $('template');
  const chosen = select.value;
  select.replaceChildren();
  for (const t of state.templates) {
    const option = el('option', '', t.name);
    option.value = t.name;
    select.append(option);
  }
  if (state.templates.some((t) => t.name === chosen)) select.value = chosen;
  select.disabled = state.templates.length === 0;
  if (state.templates.length === 0) {
    $('template-variables').replaceChildren();
    $('template-preview').textContent = 'The dialog has no templates.';
    return;
  }
  renderTemplateVariables();
}

function renderTemplateVariables() {
  const t = state.templates.find((x) => x.name === $('template').value);
  const box = $('template-variables');
  box.replaceChildren();
  if (!t) return;
  for (const name of t.variables) {
    const label = el('label', '', name);
    const input = el('input');
    input.name = name;
    input.required = true;
    input.value = String(state.templateVars[name] || '');
    label.append(input);
    box.append(label);
  }
  $('template-preview').textContent = t.text;
}

$('template').addEventListener('change', renderTemplateVariables);
$('template-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const variables = {};
  for (const input of $('template-variables').querySelectorAll('input')) {
    variables[input.name] = input.value;
  }
  await act('messages', {template: $('template').value, variables});
});

async function openConversation(id) {
  state.current = id;
  state.currentContact = null;
  $('conv-error').textContent = '';
  renderInbox();
  try {
    const data = await api('GET', '/admin/api/conversations/' + id);
    if (state.current !== id) return;
    state.currentContact = data.conversation.contact;
    state.currentNumber = data.conversation.number;
    renderConversation(data);
  } catch (e) {
    if (!(e instanceof LoginNeeded)) $('conv-error').textContent = e.message;
  }
}

async function act(path, body) {
  if (state.current === null) return;
  $('conv-error').textContent = '';
  try {
    await api('POST', '/admin/api/conversations/' + state.current + '/' + path, body);
    await openConversation(state.current);
    await loadInbox();
    return true;
  } catch (e) {
    if (!(e instanceof LoginNeeded)) $('conv-error').textContent = e.message;
    return false;
  }
}

// Server-Sent Events: any change of a conversation reloads the inbox, and the open one.
function listen() {
  if (state.events) state.events.close();
  const events = new EventSource('/admin/api/events');
  state.events = events;
  events.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').className = 'live on';
  });
  events.addEventListener('conversation', (e) => {
    const change = JSON.parse(e.data);
    loadInbox();
    if (state.current !== null && change.contact === state.currentContact &&
        change.number === state.currentNumber) {
      openConversation(state.current);
    }
  });
  events.addEventListener('error', async () => {
    $('live').textContent = 'reconnecting';
    $('live').className = 'live';
    if (events.readyState === EventSource.CLOSED) {
      // Refused (an expired session): the session check shows why.
      try {
        await api('GET', '/admin/api/session');
        setTimeout(listen, 3000);
      } catch (e) { /* the login form is shown */
      }
    }
  });
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  const res = await fetch('/admin/api/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: {Authorization: 'Bearer ' + token},
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    $('login-error').textContent = data.error || 'log in failed (' + res.status + ')';
    return;
  }
  $('token').value = '';
  showDesk(data);
});

// The on-duty notice links to a conversation: /admin/#conversation=<id>.
function openLinked() {
  const match = /^#conversation=(\d+)$/.exec(location.hash);
  if (match) openConversation(Number(match[1]));
}
window.addEventListener('hashchange', openLinked);

$('logout').addEventListener('click', async () => {
  try {
    await api('DELETE', '/admin/api/session');
  } catch (e) { /* logged out anyway */
  }
  showLogin('You are logged out.');
});

$('claim').addEventListener('click', () => act('claim'));
$('release').addEventListener('click', () => act('release'));
$('close').addEventListener('click', () => act('close'));
$('reply-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('reply').value;
  if (!text.trim()) return;
  if (await act('messages', {text})) $('reply').value = '';
});

setInterval(renderInbox, 30000);  // the waited times move on

(async () => {
  const res = await fetch('/admin/api/session', {credentials: 'same-origin'});
  if (res.ok)
    showDesk(await res.json());
  else
    showLogin('');
})();
