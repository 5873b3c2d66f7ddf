// Entry of dist/bigpipe.js and dist/bigpipe.min.js (script tag / CDN): installing is all it does.
import './index';
