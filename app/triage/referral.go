package triage

import (
	"iter"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A referral is read from the lead's own words: a name that follows a
// pointing phrase ("please contact", "wenden Sie sich an", "adressez-vous
// à", "habla con") or precedes one ("is the right person", "ist
// zuständig"), and the e-mail address next to it. Names are runs of two
// or three capitalised words, or one after a title ("Frau Schmidt"); roles
// and greetings that are capitalised too ("VP", "Vertrieb", "Bonjour")
// are skipped. Cues are matched in folded text and read back as written.

// pointsTo matches, in folded text, the phrases after which a referral's
// name or address comes.
var pointsTo = newScanner(`\b(?:` + strings.Join([]string{
	`contact`, `reach out to`, `reach`, `speak (?:to|with)`, `talk (?:to|with)`, `try`, `write to`, `e-?mail`, `ask`,
	`(?:forwarded|passed|passing|forwarding)(?: \w+){0,3} to`, `loop(?:ing)? in`, `cc(?:'d|ed|ing)?`, `get in touch with`,
	`direct(?: \w+){0,3} to`, `successor(?: is)?`, `replacement(?: is)?`, `colleague`,
	`an`, `bei`, `kontaktieren sie`, `schreiben sie`, `nachfolger(?:in)?`, `kollegen?`, `kollegin`, `ansprechpartner(?:in)?`, `vertretung`,
	`contacter`, `contactez`, `adressez-vous(?: \w+)? a`, `ecrire a`, `ecrivez a`, `(?:voyez|voir) avec`, `(?:transmets|transmis) a`,
	`collegue`, `successeur`, `joindre`, `interlocut(?:eur|rice)`,
	`contact[ae] con`, `contactar con`, `escrib(?:e|a|ir) a`, `habl[ae] con`, `(?:correo|email|mensaje) a`,
	`companer[oa]`, `soci[oa]`, `sucesora?`, `pregunta(?:le)? a`, `dirig(?:e|ete|ase) a`,
}, "|") + `)\b`)

// pointedAt matches the phrases before which a referral's name comes.
var pointedAt = newScanner(`\b(?:` + strings.Join([]string{
	`(?:is|would be|'s) (?:the )?(?:right|best|better) (?:person|contact)`, `(?:runs|handles|owns|manages|looks after|is responsible|is in charge)`,
	`(?:ist|waere) (?:dafuer |hierfuer )?(?:zustaendig|verantwortlich|der richtige|die richtige)`, `kuemmert sich`,
	`(?:est|sera) (?:en charge|responsable|la bonne personne|le bon interlocuteur)`, `s'occupe`,
	`(?:es|sera) (?:quien|el responsable|la responsable|la persona)`, `se encarga`, `lleva (?:eso|esto|el tema)`,
}, "|") + `)\b`)

// emailAddress matches an address, bounded to the lengths RFC 5321 allows.
var emailAddress = regexp.MustCompile(`[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}`)

// nameWords yields, from left to right, the start and end of at most n
// words of a name as written, with their surroundings judged separately:
// what the regular expression \p{L}[\p{L}\p{M}'’-]*\.? finds, without its
// cost (TestNameWords).
func nameWords(text string, n int) iter.Seq[[2]int] {
	return func(yield func([2]int) bool) {
		for i := 0; i < len(text) && n > 0; n-- {
			for i < len(text) {
				r, size := utf8.DecodeRuneInString(text[i:])
				if unicode.IsLetter(r) {
					break
				}
				i += size
			}
			if i == len(text) {
				return
			}
			start := i
			_, size := utf8.DecodeRuneInString(text[i:])
			for i += size; i < len(text); i += size {
				var r rune
				r, size = utf8.DecodeRuneInString(text[i:])
				if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != '\'' && r != '’' && r != '-' {
					break
				}
			}
			if i < len(text) && text[i] == '.' {
				i++
			}
			if !yield([2]int{start, i}) {
				return
			}
		}
	}
}

// titles may stand before a name and are dropped from it, except before a
// lone surname ("Frau Schmidt").
var titles = set("mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "herr", "herrn", "frau", "m.", "mme", "mme.", "madame",
	"monsieur", "sr", "sr.", "sra", "sra.", "srta.", "don", "doña", "prof.")

// particles may stand inside a name: "Ana de la Fuente", "Jan van Dijk".
var particles = set("de", "del", "la", "le", "van", "von", "der", "da", "di", "du", "dos", "das", "y")

// notNames are capitalised words that are not part of a name: greetings,
// pronouns, roles and departments, in the four languages.
var notNames = set(
	"please", "thanks", "thank", "hi", "hello", "dear", "our", "my", "the", "this", "that", "he", "she", "they", "we", "i", "you",
	"your", "for", "sales", "marketing", "procurement", "purchasing", "finance", "head", "vp", "ceo", "cto", "cfo", "coo", "cmo",
	"cro", "sdr", "bdr", "director", "manager", "team", "department", "support", "operations", "hr", "it", "legal", "office",
	"company", "inc", "ltd", "llc", "firma", "unternehmen", "gmbh", "ag", "société", "sas", "sarl", "empresa", "sl", "sa",
	"bitte", "sie", "ihr", "ihre", "ihnen", "unser", "unsere", "unseren", "unserer", "abteilung", "vertrieb", "einkauf",
	"geschäftsführung", "geschäftsführer", "kollege", "kollegen", "kollegin", "nachfolger", "nachfolgerin", "vertretung",
	"ansprechpartner", "ansprechpartnerin", "leiter", "leiterin", "danke", "hallo", "gruß", "grüße", "viele", "beste", "mit",
	"bonjour", "merci", "cordialement", "notre", "nos", "votre", "vous", "je", "directeur", "directrice", "responsable",
	"service", "daf", "drh", "dsi", "pdg", "dg",
	"hola", "gracias", "saludos", "nuestro", "nuestra", "su", "tu", "directora", "departamento", "gerente", "equipo", "usted",
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// A name is a run of name words in the original text.
type name struct {
	start, end int
	text       string
}

// referral returns the person or address l points to, as "Name
// <address>", "Name" or "address"; "" when it names none. t is l.folded
// scanned.
func referral(l lead, t *scanned) string {
	folded, from := foldIndex(l.text)
	if folded != t.text { // l.folded has no link queries
		rescanned := vocabulary.scan(folded)
		t = &rescanned
	}
	names := findNames(l.text)
	who := pointedName(t, from, names)
	if who.text != "" {
		if m := emailAddress.FindStringIndex(l.text[who.end:min(len(l.text), who.end+100)]); m != nil {
			return who.text + " <" + l.text[who.end+m[0]:who.end+m[1]] + ">"
		}
		return who.text
	}
	start := 0
	if m := pointsTo.findAll(t, 1); m != nil {
		start = from[m[0][1]]
	}
	if m := emailAddress.FindStringIndex(l.text[start:]); m != nil {
		return l.text[start+m[0] : start+m[1]]
	}
	if m := emailAddress.FindString(l.text); m != "" {
		return m
	}
	return ""
}

// pointedName returns the first name a cue points to in t, folded from
// the text of names; from maps t back to it.
func pointedName(t *scanned, from []int, names []name) name {
	for _, m := range pointsTo.findAll(t, maxSpans) {
		end := from[m[1]]
		for _, n := range names {
			if n.start >= end && n.start-end <= 60 {
				return n
			}
		}
	}
	for _, m := range pointedAt.findAll(t, maxSpans) {
		start := from[m[0]]
		for i := len(names) - 1; i >= 0; i-- {
			if n := names[i]; n.end <= start && start-n.end <= 40 {
				return n
			}
		}
	}
	return name{}
}

// findNames returns the names in text. Runs break at anything but a single
// space; a sentence end also ends the reach of a title.
func findNames(text string) []name {
	var out []name
	var run []string
	runStart, runEnd, title := 0, 0, ""
	flush := func() {
		if len(run) >= 2 {
			out = append(out, name{start: runStart, end: runEnd, text: strings.Join(run, " ")})
		} else if len(run) == 1 && title != "" {
			out = append(out, name{start: runStart, end: runEnd, text: title + " " + run[0]})
		}
		run, title = nil, ""
	}
	prevEnd := 0
	for m := range nameWords(text, 2000) {
		word := strings.TrimRight(text[m[0]:m[1]], ".")
		gap := text[prevEnd:m[0]]
		if gap != " " {
			flush()
			if strings.ContainsAny(gap, "\n!?") {
				title = ""
			}
		}
		lower := strings.ToLower(text[m[0]:m[1]])
		first, _ := utf8.DecodeRuneInString(word)
		switch {
		case titles[lower] || titles[strings.TrimRight(lower, ".")]:
			flush()
			title = text[m[0]:m[1]]
		case len(run) > 0 && particles[lower] && !strings.HasSuffix(text[m[0]:m[1]], "."):
			run = append(run, word)
			runEnd = m[0] + len(word)
		case unicode.IsUpper(first) && !notNames[lower] && !notNames[strings.TrimRight(lower, ".")] && len(run) < 4:
			if len(run) == 0 {
				runStart = m[0]
			}
			run = append(run, word)
			runEnd = m[0] + len(word)
		default:
			flush()
		}
		prevEnd = m[1]
		if strings.HasSuffix(text[m[0]:m[1]], ".") && !titles[lower] && utf8.RuneCountInString(word) > 1 {
			flush() // a full stop after a word ends the sentence
		}
	}
	flush()
	// A particle cannot end a name.
	for i := range out {
		words := strings.Fields(out[i].text)
		for len(words) > 1 && particles[strings.ToLower(words[len(words)-1])] {
			words = words[:len(words)-1]
		}
		out[i].text = strings.Join(words, " ")
	}
	return out
}
