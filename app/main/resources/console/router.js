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

function notFound(r, model) {
    var served = r.variables.ob_available;
    var body;
    if (r.uri.indexOf('/api/') === 0) {
        body = {error: 'model "' + model + '" not found: no instance of this cluster serves it; it serves ' + served};
    } else {
        body = {error: {
            message: 'The model `' + model + '` does not exist: no instance of this cluster serves it; it serves ' + served,
            type: 'invalid_request_error', param: 'model', code: 'model_not_found'}};
    }
    r.headersOut['Content-Type'] = 'application/json';
    r.return(404, JSON.stringify(body));
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

/** GET /v1/models/<id>: answered here, from the map, like the model lists. */
function model(r) {
    var id = decodeURIComponent(r.uri.substring('/v1/models/'.length));
    r.variables.ob_model = id;
    if (r.variables.ob_group) {
        r.headersOut['Content-Type'] = 'application/json';
        r.return(200, JSON.stringify({id: id, object: 'model', created: 0, owned_by: 'ollama-bridge'}));
    } else {
        notFound(r, id);
    }
}

export default {route, model};
