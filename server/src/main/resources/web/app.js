// mp3conv web page. Plain JavaScript, no build step. Every string that comes from a user or the server
// (file names, error reasons, emails) reaches the page through textContent, never as markup.
'use strict';

(function () {
  const TOKEN_KEY = 'mp3conv.token';
  const EXPIRES_KEY = 'mp3conv.token-expires';
  const UPLOADS = new URL('/api/v1/uploads', window.location.href).href;
  const CHUNK_SIZE = 8 * 1024 * 1024;
  const PAGE_SIZE = 20;
  const TERMINAL = new Set(['DONE', 'FAILED']);

  const $ = (id) => document.getElementById(id);
  const view = {
    signIn: $('sign-in-view'),
    app: $('app-view'),
    account: $('account'),
    who: $('who'),
    notice: $('notice'),
    form: $('sign-in-form'),
    email: $('email'),
    password: $('password'),
    signInButton: $('sign-in'),
    createButton: $('create-account'),
    signInError: $('sign-in-error'),
    signOut: $('sign-out'),
    sound: $('sound'),
    loudness: $('loudness'),
    start: $('start'),
    end: $('end'),
    channels: $('channels'),
    sampleRate: $('sample-rate'),
    title: $('title'),
    artist: $('artist'),
    cover: $('cover'),
    drop: $('drop'),
    files: $('files'),
    status: $('status'),
    jobs: $('jobs'),
    empty: $('jobs-empty'),
    more: $('more'),
  };

  let token = sessionStorage.getItem(TOKEN_KEY);
  let expiryTimer = null;
  let nextCursor = null;
  const rows = new Set();
  const rowsById = new Map();

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // ---- small helpers ------------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatSize(bytes) {
    if (!Number.isFinite(bytes) || bytes < 0) return '';
    const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    // binary steps, as the server's sizes (10g, 4g) are meant
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit === 0 ? value + ' bytes' : value.toFixed(value < 10 ? 1 : 0) + ' ' + units[unit];
  }

  function formatTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : date.toLocaleString();
  }

  // the same rule as the server's Content-Disposition name (gateway Filenames.mp3Name)
  function mp3Name(name) {
    const base = name && name.trim() ? name : 'upload';
    const dot = base.lastIndexOf('.');
    return (dot > 0 ? base.slice(0, dot) : base) + '.mp3';
  }

  function retryAfterSeconds(res) {
    const value = res.headers.get('Retry-After');
    if (!value) return null;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
    const date = Date.parse(value);
    return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }

  function wait(seconds) {
    if (seconds === null) return 'a moment';
    if (seconds < 90) return seconds === 1 ? '1 second' : seconds + ' seconds';
    const minutes = Math.ceil(seconds / 60);
    return minutes + ' minutes';
  }

  async function problemDetail(res) {
    try {
      const body = await res.json();
      return typeof body.detail === 'string' ? body.detail : (typeof body.title === 'string' ? body.title : '');
    } catch (e) {
      return '';
    }
  }

  function announce(text) {
    view.status.textContent = text;
  }

  function showNotice(text) {
    view.notice.textContent = text;
    view.notice.hidden = !text;
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  async function api(method, path, options) {
    const opts = options || {};
    const headers = Object.assign({}, opts.headers);
    const sent = opts.anonymous ? null : token;
    if (sent) headers.Authorization = 'Bearer ' + sent;
    let res;
    try {
      res = await fetch(path, { method, headers, body: opts.body, signal: opts.signal, cache: 'no-store' });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.');
    }
    if (res.status === 401 && sent) {
      // also when another request already signed the page out: the caller must not show its own error
      if (token === sent) sessionExpired();
      throw new ApiError(401, 'Your session has ended.');
    }
    return res;
  }

  function json(value) {
    return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value), anonymous: true };
  }

  // ---- signing in ---------------------------------------------------------------------------------

  async function signInError(res, registering) {
    const seconds = retryAfterSeconds(res);
    if (registering && (res.status === 401 || res.status === 403)) {
      // open registration off: only an administrator's token may create accounts
      return 'Registration is closed. Ask the administrator for an account.';
    }
    switch (res.status) {
      case 401:
        return 'Wrong email or password.';
      case 429:
        return 'Too many attempts. Try again in ' + wait(seconds) + '.';
      case 503:
        return 'The server is busy. Try again in ' + wait(seconds) + '.';
      case 403:
        return 'Signing in is not allowed.';
      case 409:
        return 'An account with this email already exists. Sign in instead.';
      case 400: {
        if (registering && view.password.value.length < 10) {
          return 'The password is too short: use at least 10 characters.';
        }
        const detail = await problemDetail(res);
        return detail ? 'Not accepted: ' + detail + '.' : 'Check the email and password.';
      }
      default:
        return 'Something went wrong (' + res.status + '). Try again.';
    }
  }

  async function signIn(registering) {
    const email = view.email.value.trim();
    const password = view.password.value;
    if (!email || !password) {
      view.signInError.textContent = 'Enter your email and password.';
      (email ? view.password : view.email).focus();
      return;
    }
    view.signInError.textContent = '';
    view.signInButton.disabled = true;
    view.createButton.disabled = true;
    try {
      if (registering) {
        const created = await api('POST', '/api/v1/users', json({ email, password }));
        if (created.status !== 201) {
          view.signInError.textContent = await signInError(created, true);
          return;
        }
      }
      const res = await api('POST', '/api/v1/auth/token', json({ email, password }));
      if (!res.ok) {
        view.signInError.textContent = await signInError(res, false);
        return;
      }
      const body = await res.json();
      const expiresAt = Date.now() + Number(body.expires_in || 3600) * 1000;
      token = body.access_token;
      sessionStorage.setItem(TOKEN_KEY, token);
      sessionStorage.setItem(EXPIRES_KEY, String(expiresAt));
      view.password.value = '';
      showNotice('');
      showApp();
    } catch (e) {
      view.signInError.textContent = e instanceof ApiError ? e.message : 'Something went wrong. Try again.';
    } finally {
      view.signInButton.disabled = false;
      view.createButton.disabled = false;
    }
  }

  function stopEverything() {
    for (const row of rows) {
      if (row.upload) row.upload.abort().catch(() => {});
      if (row.watching) row.watching.abort();
    }
    rows.clear();
    rowsById.clear();
    view.jobs.replaceChildren();
    nextCursor = null;
    if (expiryTimer) clearTimeout(expiryTimer);
    expiryTimer = null;
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(EXPIRES_KEY);
    stopEverything();
    showNotice(message || '');
    showSignIn();
  }

  function sessionExpired() {
    if (token) signOut('Your session has expired or was ended. Please sign in again.');
  }

  function showSignIn() {
    view.app.hidden = true;
    view.account.hidden = true;
    view.signIn.hidden = false;
    view.email.focus();
  }

  function showApp() {
    view.signIn.hidden = true;
    view.app.hidden = false;
    view.account.hidden = false;
    view.who.textContent = '';
    const expiresAt = Number(sessionStorage.getItem(EXPIRES_KEY));
    if (expiresAt) {
      expiryTimer = setTimeout(sessionExpired, Math.max(0, expiresAt - Date.now()));
    }
    loadAccount();
    loadJobs(null);
  }

  async function loadAccount() {
    try {
      const res = await api('GET', '/api/v1/users/me');
      if (!res.ok) return;
      const me = await res.json();
      let text = 'Signed in as ' + me.email;
      if (Number.isFinite(me.storage_used) && Number.isFinite(me.storage_quota)) {
        text += ' · ' + formatSize(me.storage_used) + ' of ' + formatSize(me.storage_quota) + ' used';
      }
      view.who.textContent = text;
    } catch (e) {
      // the header line is a nicety; a 401 already signed the page out
    }
  }

  // ---- the list of jobs ---------------------------------------------------------------------------

  function newRow(name, size) {
    const row = { id: null, name, size, state: null, upload: null, watching: null, expiresAt: null };
    row.el = el('li', 'job');
    const head = el('div', 'job-head');
    row.nameEl = el('span', 'job-name', name);
    row.sizeEl = el('span', 'job-size', formatSize(size));
    head.append(row.nameEl, row.sizeEl);
    row.bar = el('div', 'bar');
    row.bar.setAttribute('role', 'progressbar');
    row.bar.setAttribute('aria-valuemin', '0');
    row.bar.setAttribute('aria-valuemax', '100');
    row.bar.setAttribute('aria-valuenow', '0');
    row.fill = el('div', 'bar-fill');
    row.bar.append(row.fill);
    const foot = el('div', 'job-foot');
    row.stateEl = el('span', 'job-state');
    row.metaEl = el('span', 'job-meta');
    row.actions = el('span', 'job-actions');
    row.download = el('a', null, 'Download');
    row.download.hidden = true;
    row.download.addEventListener('click', (event) => {
      event.preventDefault();
      download(row);
    });
    row.remove = el('button', 'secondary small', 'Delete');
    row.remove.type = 'button';
    row.remove.setAttribute('aria-label', 'Delete ' + name);
    row.remove.addEventListener('click', () => removeJob(row));
    row.actions.append(row.download, row.remove);
    foot.append(row.stateEl, row.metaEl, row.actions);
    row.el.append(head, row.bar, foot);
    rows.add(row);
    return row;
  }

  function setId(row, id) {
    const other = rowsById.get(id);
    if (other && other !== row) {
      // a row the list showed for an upload that this one now resumes
      if (other.watching) other.watching.abort();
      rows.delete(other);
      other.el.remove();
    }
    row.id = id;
    rowsById.set(id, row);
    row.download.href = '/api/v1/jobs/' + encodeURIComponent(id) + '/mp3';
    row.download.setAttribute('download', mp3Name(row.name));
  }

  function setProgress(row, fraction, label) {
    const percent = Math.max(0, Math.min(100, Math.round((Number(fraction) || 0) * 100)));
    row.bar.setAttribute('aria-valuenow', String(percent));
    row.bar.setAttribute('aria-label', label + ' of ' + row.name);
    row.fill.style.width = percent + '%';
    return percent;
  }

  function render(row, state, progress, error) {
    const before = row.state;
    row.state = state;
    row.stateEl.className = 'job-state';
    row.bar.hidden = TERMINAL.has(state);
    row.download.hidden = state !== 'DONE';
    let text;
    switch (state) {
      case 'UPLOADING': {
        const percent = setProgress(row, progress, 'Upload');
        text = row.upload ? 'Uploading ' + percent + ' %'
          : 'Upload paused at ' + percent + ' %: add the same file again to resume';
        break;
      }
      case 'QUEUED':
        setProgress(row, 0, 'Conversion');
        text = 'Queued';
        break;
      case 'CONVERTING':
        text = 'Converting ' + setProgress(row, progress, 'Conversion') + ' %';
        break;
      case 'DONE':
        text = 'Done';
        row.stateEl.classList.add('done');
        break;
      case 'FAILED': {
        const reason = error && (error.message || error.code);
        text = reason ? 'Failed: ' + reason : 'Failed';
        row.stateEl.classList.add('failed');
        break;
      }
      default:
        text = String(state);
    }
    row.stateEl.textContent = text;
    row.metaEl.textContent = row.expiresAt ? 'Kept until ' + formatTime(row.expiresAt) : '';
    if (before !== state && (TERMINAL.has(state) || state === 'QUEUED')) {
      announce(row.name + ': ' + text);
      // the storage figure in the header changed (not for rows the list merely loaded)
      if (before !== null && state === 'DONE') loadAccount();
    }
  }

  function applyJob(row, job) {
    if (job.expires_at) row.expiresAt = job.expires_at;
    if (Number.isFinite(job.size)) row.sizeEl.textContent = formatSize(job.size);
    render(row, job.state, job.progress, job.error);
  }

  function updateEmpty() {
    view.empty.hidden = view.jobs.children.length > 0;
  }

  async function loadJobs(cursor) {
    view.more.disabled = true;
    try {
      let path = '/api/v1/jobs?limit=' + PAGE_SIZE;
      if (cursor) path += '&cursor=' + encodeURIComponent(cursor);
      const res = await api('GET', path);
      if (!res.ok) {
        showNotice('The list of files could not be loaded (' + res.status + ').');
        return;
      }
      const page = await res.json();
      for (const job of page.items || []) {
        if (rowsById.has(job.id)) continue;
        const row = newRow(job.filename || 'upload', job.size);
        setId(row, job.id);
        applyJob(row, job);
        view.jobs.append(row.el);
        if (job.state === 'QUEUED' || job.state === 'CONVERTING') watch(row);
      }
      nextCursor = page.next_cursor || null;
      view.more.hidden = !nextCursor;
      updateEmpty();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) showNotice(e.message || 'The list could not be loaded.');
    } finally {
      view.more.disabled = false;
    }
  }

  // ---- uploading ----------------------------------------------------------------------------------

  function soundMetadata() {
    const value = view.sound.value;
    if (value.startsWith('b:')) return { bitrate: value.slice(2) };
    if (value.startsWith('q:')) return { quality: value.slice(2) };
    return {};
  }

  // the server checks every value (Mp3Options): a bad one fails the upload with its reason in the row
  function audioMetadata() {
    const metadata = {};
    const fields = {
      loudness: view.loudness.value, start: view.start.value.trim(), end: view.end.value.trim(),
      channels: view.channels.value, sample_rate: view.sampleRate.value, title: view.title.value.trim(),
      artist: view.artist.value.trim(),
    };
    for (const [key, value] of Object.entries(fields)) {
      if (value) metadata[key] = value;
    }
    if (view.cover.checked) metadata.cover = 'true';
    return metadata;
  }

  function tusFailure(row, error) {
    const res = error && error.originalResponse;
    const status = res ? res.getStatus() : 0;
    if (status === 401) {
      sessionExpired();
      return;
    }
    let reason = 'the upload stopped';
    if (res) {
      try {
        const body = JSON.parse(res.getBody());
        if (typeof body.detail === 'string') reason = body.detail;
      } catch (e) {
        reason = 'the server answered ' + status;
      }
    } else if (!navigator.onLine) {
      reason = 'the connection was lost';
    }
    row.upload = null;
    render(row, 'FAILED', 0, { message: reason });
  }

  function addFile(file) {
    const row = newRow(file.name, file.size);
    view.jobs.prepend(row.el);
    updateEmpty();
    const metadata = Object.assign({ filename: file.name }, soundMetadata(), audioMetadata());
    if (file.type) metadata.filetype = file.type;
    const upload = new tus.Upload(file, {
      endpoint: UPLOADS,
      chunkSize: CHUNK_SIZE,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata,
      headers: { Authorization: 'Bearer ' + token },
      removeFingerprintOnSuccess: true,
      onUploadUrlAvailable() {
        const id = decodeURIComponent(new URL(upload.url).pathname.split('/').pop());
        if (id && id !== row.id) setId(row, id);
      },
      onProgress(sent, total) {
        render(row, 'UPLOADING', total ? sent / total : 0);
      },
      onShouldRetry(error) {
        const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        // tus-js-client's own rule, minus the answers that will not change by asking again
        return !(status >= 400 && status < 500 && status !== 409 && status !== 423);
      },
      onSuccess() {
        row.upload = null;
        render(row, 'QUEUED', 0);
        watch(row);
      },
      onError(error) {
        tusFailure(row, error);
      },
    });
    row.upload = upload;
    render(row, 'UPLOADING', 0);
    announce(file.name + ': Uploading');
    upload.findPreviousUploads()
      .then((previous) => {
        if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      })
      .catch(() => upload.start());
  }

  function addFiles(list) {
    if (typeof tus === 'undefined' || !tus.isSupported) {
      showNotice('This browser cannot upload files here.');
      return;
    }
    for (const file of Array.from(list)) addFile(file);
  }

  // ---- conversion progress (Server-Sent Events read with fetch, which can send the bearer header) ---

  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer = (buffer + value).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? '' : line.slice(colon + 1);
          if (text.startsWith(' ')) text = text.slice(1);
          if (field === 'event') name = text;
          else if (field === 'data') data.push(text);
        }
        if (name === 'job' && data.length > 0) {
          try {
            onEvent(JSON.parse(data.join('\n')));
          } catch (e) {
            // a malformed event is skipped; the job is read again when the stream ends
          }
        }
      }
      if (buffer.length > 65536) throw new Error('event too long');
    }
  }

  async function fetchJob(row, signal) {
    const res = await api('GET', '/api/v1/jobs/' + encodeURIComponent(row.id), { signal });
    if (res.status === 404) return null;
    if (res.status === 410) {
      return { state: 'FAILED', error: { message: 'expired: ' + (await problemDetail(res)) } };
    }
    if (!res.ok) throw new Error('job ' + res.status);
    return res.json();
  }

  async function watch(row) {
    if (row.watching || !row.id) return;
    const control = new AbortController();
    row.watching = control;
    const signal = control.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const res = await api('GET', '/api/v1/jobs/' + encodeURIComponent(row.id) + '/events',
          { headers: { Accept: 'text/event-stream' }, signal });
        if (res.ok && res.body) {
          await readEvents(res.body, (event) => render(row, event.state, event.progress, event.error));
        }
        // the stream ends after DONE or FAILED (or the job went away): read the whole job once
        const job = await fetchJob(row, signal);
        if (job === null) {
          dropRow(row);
          return;
        }
        applyJob(row, job);
        if (TERMINAL.has(job.state)) break;
      } catch (e) {
        if (signal.aborted || (e instanceof ApiError && e.status === 401)) return;
      }
      failures++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(10000, 1000 * failures)));
    }
    if (row.watching === control) row.watching = null;
  }

  // ---- download and delete ------------------------------------------------------------------------

  async function download(row) {
    if (!row.id) return;
    try {
      const res = await api('GET', '/api/v1/jobs/' + encodeURIComponent(row.id) + '/mp3');
      if (!res.ok) {
        const detail = await problemDetail(res);
        announce(row.name + ': the download failed' + (detail ? ': ' + detail : ''));
        row.metaEl.textContent = 'Download failed' + (detail ? ': ' + detail : '');
        return;
      }
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const link = el('a');
      link.href = url;
      link.download = mp3Name(row.name);
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      // the browser has taken the blob once the click is handled; keep it a while for slow disks
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) announce(row.name + ': the download failed');
    }
  }

  function dropRow(row) {
    if (row.watching) row.watching.abort();
    rows.delete(row);
    if (row.id && rowsById.get(row.id) === row) rowsById.delete(row.id);
    row.el.remove();
    updateEmpty();
  }

  async function removeJob(row) {
    row.remove.disabled = true;
    try {
      if (row.upload) {
        const upload = row.upload;
        row.upload = null;
        await upload.abort();
      }
      if (row.id) {
        const res = await api('DELETE', '/api/v1/jobs/' + encodeURIComponent(row.id));
        if (!res.ok && res.status !== 404) {
          row.metaEl.textContent = 'Could not delete (' + res.status + ')';
          row.remove.disabled = false;
          return;
        }
      }
      announce(row.name + ': deleted');
      dropRow(row);
    } catch (e) {
      row.remove.disabled = false;
    }
  }

  // ---- wiring -------------------------------------------------------------------------------------

  view.form.addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(false);
  });
  view.createButton.addEventListener('click', () => signIn(true));
  view.signOut.addEventListener('click', () => signOut(''));
  view.more.addEventListener('click', () => loadJobs(nextCursor));
  view.files.addEventListener('change', () => {
    addFiles(view.files.files);
    view.files.value = '';
  });
  view.drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    view.drop.classList.add('over');
  });
  view.drop.addEventListener('dragleave', () => view.drop.classList.remove('over'));
  view.drop.addEventListener('drop', (event) => {
    event.preventDefault();
    view.drop.classList.remove('over');
    if (event.dataTransfer && event.dataTransfer.files.length > 0) addFiles(event.dataTransfer.files);
  });
  // a file dropped next to the drop area must not make the browser leave the page to open it
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  if (token) {
    showApp();
  } else {
    showSignIn();
  }
})();
