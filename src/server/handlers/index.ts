// Importing a handler module registers its rows in the registry.
import './meta.js';
import './colonies.js';
import './executors.js';
import './users.js';
import './locations.js';
import './functions.js';
import './processes.js';
import './attributes.js';
import './workflows.js';
import './logs.js';
import './crons.js';
import './generators.js';
import './files.js';
import './snapshots.js';
import './channels.js';
import './blueprints.js';
