package triage

import (
	"regexp"
	"slices"
	"strings"
)

// attribution matches the line a mail client writes above a quoted
// message, folded: "On Tue, 3 Mar 2026, Tom <tom@x> wrote:", "Am 12.03.2026
// um 09:14 schrieb Lukas Weber <...>:", "Le mar. 10 mars 2026 à 09:12, Hugo
// <...> a écrit :", "El mar, 10 mar 2026 a las 9:12, Carlos (<...>)
// escribió:". Clients wrap it, so it is also tried on two lines joined.
// Its ".{0,300}" makes it slow, so it is only tried on lines with one of
// attributionWords.
var attribution = regexp.MustCompile(`^.{0,300}\b(?:` + strings.Join(attributionWords, "|") + `)\b[^:]{0,200}:\s*$`)

var attributionWords = []string{"wrote", "schrieb", "a ecrit", "escribio"}

func hasAttributionWord(s string) bool {
	return slices.ContainsFunc(attributionWords, func(w string) bool { return strings.Contains(s, w) })
}

// separator matches the lines that start a forwarded or quoted message in
// Outlook and others.
var separator = regexp.MustCompile(`^(?:-{2,}\s*(?:original message|urspruengliche nachricht|originalnachricht|original-nachricht|message d'origine|message original|mensaje original|forwarded message|weitergeleitete nachricht|message transfere|mensaje reenviado)\s*-{2,}|_{8,}|-{8,})$`)

// headerStart and headerField match the "From: ... Sent: ... To: ..."
// block Outlook puts above a quoted message, in the four languages.
var (
	headerStart = regexp.MustCompile(`^\*?(?:from|von|de|da)\s?\*?:`)
	headerField = regexp.MustCompile(`^\*?(?:sent|date|to|cc|subject|gesendet|datum|an|betreff|envoye|a|objet|enviado|fecha|para|asunto)\s?\*?:`)
)

// disclaimer matches the first line of a legal footer, which talks about
// "intended recipients" and deleting messages and would read as a cue.
var disclaimer = regexp.MustCompile(`^(?:this (?:e-?mail|message|communication) (?:and any|is confidential|may contain|contains confidential)|confidentiality notice|disclaimer:|if you are not the intended recipient|the information (?:contained )?in this (?:e-?mail|message)|diese (?:e-?mail|nachricht) (?:enthaelt|ist vertraulich|kann vertrauliche)|ce (?:message|courriel|e-?mail) (?:et (?:toutes )?(?:ses|les) pieces jointes|est confidentiel|peut contenir)|este (?:mensaje|correo)(?: electronico)? (?:y sus anexos|es confidencial|contiene informacion|puede contener))`)

// sentFrom matches the footers phones add.
var sentFrom = regexp.MustCompile(`^(?:sent from my|von meinem .{0,30}gesendet|envoye de mon|enviado desde mi|get outlook for)`)

// ownText returns what the lead wrote in body: lines quoted with ">" are
// dropped; an attribution line ("On ... wrote:") is dropped and, unless
// the quote under it is marked with ">" (the lead may answer below it),
// ends the text; so do an Outlook header block or separator, the "-- "
// signature delimiter and a legal disclaimer.
func ownText(body string) string {
	lines := newBodyLines(body)
	kept := make([]string, 0, 16)
	for i := 0; lines.has(i); i++ {
		line, t := lines.line(i)
		switch {
		case strings.HasPrefix(t, ">"):
			continue
		case strings.TrimRight(line, " ") == "--":
			return strings.Join(kept, "\n")
		case separator.MatchString(t), disclaimer.MatchString(t), isHeaderBlock(lines, i):
			return strings.Join(kept, "\n")
		case sentFrom.MatchString(t):
			continue
		}
		if n := attributionLines(lines, i); n > 0 {
			i += n - 1
			if !quotedNext(lines.after(i)) {
				return strings.Join(kept, "\n")
			}
			continue
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n")
}

// attributionLines reports how many lines (0, 1 or 2) of an attribution
// start at line i.
func attributionLines(lines *bodyLines, i int) int {
	_, t := lines.line(i)
	if t == "" || len(t) > 400 {
		return 0
	}
	if hasAttributionWord(t) && attribution.MatchString(t) {
		return 1
	}
	if lines.has(i + 1) {
		_, next := lines.line(i + 1)
		if len(t)+1+len(next) <= 400 && (hasAttributionWord(t) || hasAttributionWord(next)) && attribution.MatchString(t+" "+next) {
			return 2
		}
	}
	return 0
}

// quotedNext reports whether the first non-blank line of rest is quoted
// with ">".
func quotedNext(rest string) bool {
	for line := range strings.SplitSeq(rest, "\n") {
		if t := strings.TrimSpace(line); t != "" {
			return strings.HasPrefix(t, ">")
		}
	}
	return false
}

// isHeaderBlock reports whether line i starts a "From:" header block: a
// From line followed, within four lines, by another header field.
func isHeaderBlock(lines *bodyLines, i int) bool {
	if _, t := lines.line(i); !headerStart.MatchString(t) {
		return false
	}
	for j := i + 1; j <= i+4 && lines.has(j); j++ {
		if _, t := lines.line(j); headerField.MatchString(t) {
			return true
		}
	}
	return false
}
