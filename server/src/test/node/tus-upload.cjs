// Drives the gateway's tus endpoint with the real tus-js-client (Node build), for TusJsClientIT.
// usage: node tus-upload.cjs <endpoint> <token> <file> <chunkSize> <stopAfterBytes|0> [uploadUrl]
// Prints one line per event: "patch-at <offset>", "head-offset <offset>", "stopped <url> <bytesAccepted>",
// "success <url>", "error <message>".
'use strict';
const fs = require('fs');
const tus = require('tus-js-client');

const [endpoint, token, file, chunkSize, stopAfter, uploadUrl] = process.argv.slice(2);
const data = fs.readFileSync(file);
let stopping = false;

const upload = new tus.Upload(data, {
  endpoint,
  uploadUrl: uploadUrl || null,
  chunkSize: Number(chunkSize),
  retryDelays: [],
  headers: { Authorization: 'Bearer ' + token },
  metadata: { filename: 'from-node.mp4', filetype: 'video/mp4', bitrate: '128k' },
  onBeforeRequest(req) {
    if (req.getMethod() === 'PATCH') {
      console.log('patch-at ' + req.getHeader('Upload-Offset'));
    }
  },
  onAfterResponse(req, res) {
    if (req.getMethod() === 'HEAD') {
      console.log('head-offset ' + res.getHeader('Upload-Offset'));
    }
  },
  onChunkComplete(chunk, accepted) {
    if (!stopping && Number(stopAfter) > 0 && accepted >= Number(stopAfter)) {
      stopping = true;
      upload.abort().then(() => console.log('stopped ' + upload.url + ' ' + accepted));
    }
  },
  onSuccess() {
    console.log('success ' + upload.url);
  },
  onError(error) {
    console.log('error ' + String(error.message).split('\n')[0]);
    process.exitCode = 1;
  },
});
upload.start();
