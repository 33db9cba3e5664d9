// Model-aware routing for the nginx the Ollama Bridge console generates (njs 0.7 and later).
// A generation request goes to the upstream group of the instances that serve its model: the
// request body's "model" is looked up in the map $ob_model -> $ob_group that the console writes
// into nginx.conf. Written by the console; do not edit: it is replaced at every start.

function modelOf(r) {
    var text;
    try {
        text = r.requestText;
    } catch (e) {
        return null; // the body is in a file: too large to route by, the bridge will judge it
    }
    if (!text) {
        return null;
    }
    try {
        var body = JSON.parse(text);
        if (body !== null && typeof body === 'object') {
            if (typeof body.model === 'string') {
                return body.model;
            }
            if (typeof body.name === 'string') {
                return body.name; // older Ollama clients name the model of /api/show so
            }
        }
    } catch (e) {
        // not JSON: the bridge answers what is wrong with it
    }
    return null;
}

/** Every name the cluster serves, from the pages of $ob_names (each one nginx string). */
function servedNames(r) {
    var names = [];
    for (var page = 0; ; page++) {
        r.variables.ob_page = String(page);
        var text = r.variables.ob_names;
        if (!text) {
            return names;
        }
        names = names.concat(text.split(' '));
    }
}

/** A few of the served names for a message, and how many there are. */
function someServed(r) {
    var names = servedNames(r);
    var shown = names.slice(0, 20).join(', ');
    return names.length > 20 ? shown + ' and ' + (names.length - 20) + ' more (GET /v1/models lists them)' : shown;
}

function notFound(r, model) {
    var served = someServed(r);
    var body;
    if (r.uri.indexOf('/api/') === 0) {
        body = {error: 'model "' + model + '" not found: no instance of this cluster serves it; it serves ' + served};
    } else {
        body = {error: {
            message: 'The model `' + model + '` does not exist: no instance of this cluster serves it; it serves ' + served,
            type: 'invalid_request_error', param: 'model', code: 'model_not_found'}};
    }
    json(r, 404, body);
}

function json(r, status, body) {
    r.headersOut['Content-Type'] = 'application/json';
    r.return(status, JSON.stringify(body));
}

/** A generation request: to its model's group, or the whole cluster when it names none. */
function route(r) {
    var model = modelOf(r);
    if (model === null) {
        r.internalRedirect('@cluster');
        return;
    }
    r.variables.ob_model = model;
    var group = r.variables.ob_group;
    if (group) {
        r.internalRedirect(group);
    } else if (r.variables.ob_unknown === 'any') {
        r.internalRedirect('@cluster');
    } else {
        notFound(r, model);
    }
}

/** GET /v1/models/<id>: answered here, from the map, like the model lists. nginx has decoded the URI once already. */
function model(r) {
    var id = r.uri.substring('/v1/models/'.length);
    r.variables.ob_model = id;
    if (r.variables.ob_group) {
        json(r, 200, {id: id, object: 'model', created: 0, owned_by: 'ollama-bridge'});
    } else {
        notFound(r, id);
    }
}

/** Ollama clients parse a date here; the console does not know when a backend pulled a model. */
var UNKNOWN_TIME = '1970-01-01T00:00:00Z';

function ollamaEntry(name) {
    return {name: name, model: name, size: 0, digest: '', details: {parent_model: '', format: '', family: '',
        parameter_size: '', quantization_level: ''}};
}

/** GET /v1/models: every served name. */
function openAiModels(r) {
    json(r, 200, {object: 'list', data: servedNames(r).map(function (name) {
        return {id: name, object: 'model', created: 0, owned_by: 'ollama-bridge'};
    })});
}

/** GET /api/tags: every served name. */
function ollamaTags(r) {
    json(r, 200, {models: servedNames(r).map(function (name) {
        var entry = ollamaEntry(name);
        entry.modified_at = UNKNOWN_TIME;
        return entry;
    })});
}

/** GET /api/ps: what the cluster serves; which of it is loaded, only each backend knows. */
function ollamaPs(r) {
    json(r, 200, {models: servedNames(r).map(function (name) {
        var entry = ollamaEntry(name);
        entry.expires_at = UNKNOWN_TIME;
        entry.size_vram = 0;
        return entry;
    })});
}

export default {route, model, openAiModels, ollamaTags, ollamaPs};
