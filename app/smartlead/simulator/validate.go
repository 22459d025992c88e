package simulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/leadbell/leadbell/event"
)

// SmartLead validates bodies with Joi and answers 400 {"message": ...}
// with Joi's wording for the first field that fails, in the schema's
// order. These checks give the same sentences. Unknown keys are let
// through: there is no evidence SmartLead refuses them.

// hookForm is the webhook a create, upsert or update body describes.
type hookForm struct {
	name       string
	url        string
	types      []event.Type
	categories []string
}

// checkID reads an id sent as a number or a numeric string (Joi converts);
// "" for null or absent.
func checkID(v any) (string, string) {
	switch v := v.(type) {
	case nil:
		return "", ""
	case json.Number:
		if _, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return v.String(), ""
		}
	case string:
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v, ""
		}
	}
	return "", `"id" must be a number`
}

func checkName(body map[string]any) (string, string) {
	name, _ := body["name"].(string)
	if strings.TrimSpace(name) == "" {
		return "", `"name" is required`
	}
	return name, ""
}

// checkURL is what SmartLead accepts as a webhook_url.
func checkURL(body map[string]any) (string, string) {
	s, _ := body["webhook_url"].(string)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", `"webhook_url" must be a valid uri`
	}
	return s, ""
}

// checkEventTypes reads event_types: a non-empty array of live names.
func checkEventTypes(body map[string]any) ([]event.Type, string) {
	v, present := body["event_types"]
	list, isList := v.([]any)
	switch {
	case !present:
		return nil, `"event_types" is required`
	case !isList:
		return nil, `"event_types" must be an array`
	case len(list) == 0:
		return nil, `"event_types" must contain at least 1 items`
	}
	var types []event.Type
	for i, v := range list {
		name, _ := v.(string)
		t, ok := typeOfLive(name)
		if !ok {
			return nil, fmt.Sprintf(`"event_types[%d]" must be one of [%s]`, i, strings.Join(liveNames(), ", "))
		}
		types = append(types, t)
	}
	return sortTypes(types), ""
}

// checkEventTypeMap reads the global API's event_type_map: live names
// as keys, booleans as values, at least one of them true.
func checkEventTypeMap(body map[string]any) ([]event.Type, string) {
	v, present := body["event_type_map"]
	m, isMap := v.(map[string]any)
	switch {
	case !present:
		return nil, `"event_type_map" is required`
	case !isMap:
		return nil, `"event_type_map" must be of type object`
	}
	var types []event.Type
	for _, n := range slices.Sorted(maps.Keys(m)) {
		t, ok := typeOfLive(n)
		if !ok {
			return nil, fmt.Sprintf(`"event_type_map.%s" is not allowed`, n)
		}
		on, isBool := m[n].(bool)
		if !isBool {
			return nil, fmt.Sprintf(`"event_type_map.%s" must be a boolean`, n)
		}
		if on {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return nil, `"event_type_map" must have at least 1 key`
	}
	return sortTypes(types), ""
}

// checkCategories reads categories: a non-empty array of the account's
// category names. SmartLead refuses an empty list (two independent
// clients had to fix exactly that).
func (s *Server) checkCategories(v any) ([]string, string) {
	list, isList := v.([]any)
	if v != nil && !isList {
		return nil, `"categories" must be an array`
	}
	if len(list) == 0 {
		return nil, `"categories" must contain at least 1 items`
	}
	var out []string
	for i, v := range list {
		name, isString := v.(string)
		if !isString {
			return nil, fmt.Sprintf(`"categories[%d]" must be a string`, i)
		}
		if _, ok := s.categoryNamed(name); !ok {
			var names []string
			for _, c := range s.gen.Categories() {
				names = append(names, c.Name)
			}
			return nil, fmt.Sprintf(`"categories[%d]" must be one of [%s]`, i, strings.Join(names, ", "))
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, ""
}

// checkForm reads the body of a per-campaign upsert or a global update:
// name, webhook_url, event_types and categories, all required.
func (s *Server) checkForm(body map[string]any) (hookForm, string) {
	var f hookForm
	var msg string
	if f.name, msg = checkName(body); msg != "" {
		return f, msg
	}
	if f.url, msg = checkURL(body); msg != "" {
		return f, msg
	}
	if f.types, msg = checkEventTypes(body); msg != "" {
		return f, msg
	}
	f.categories, msg = s.checkCategories(body["categories"])
	return f, msg
}
