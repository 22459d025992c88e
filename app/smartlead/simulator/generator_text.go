package simulator

import "strings"

// The raw material of generated data. Names, companies and texts are
// invented; the domains use real-looking TLDs but are not meant to resolve.

// people are leads' names, of varied origins, with letters that exercise
// Unicode handling.
var people = [][2]string{
	{"Aisha", "Okafor"}, {"Mateo", "García"}, {"Yuki", "Tanaka"}, {"Priya", "Raman"},
	{"Lars", "Johansson"}, {"Chloé", "Dubois"}, {"Jürgen", "Müller"}, {"Wei", "Zhang"},
	{"Fatima", "Al-Sayed"}, {"Oluwaseun", "Adeyemi"}, {"Siobhán", "O'Connor"},
	{"Dmitri", "Volkov"}, {"Ana", "Sousa"}, {"Kwame", "Mensah"}, {"Ingrid", "Halvorsen"},
	{"Rafael", "Oliveira"}, {"Mei", "Lin"}, {"Tomasz", "Kowalski"}, {"Noa", "Levi"},
	{"Arjun", "Mehta"}, {"Emma", "Schmidt"}, {"Lucas", "Martin"}, {"Zeynep", "Yılmaz"},
	{"Hannah", "Becker"}, {"Diego", "Fernández"}, {"Sofia", "Rossi"}, {"Björn", "Lindqvist"},
	{"Grace", "Kim"}, {"Mohammed", "Haddad"}, {"Léa", "Moreau"}, {"Kenji", "Watanabe"},
	{"Olivia", "Brown"},
}

// company is a lead's employer.
type company struct {
	name, domain, city string
}

var companies = []company{
	{"Brightwave Analytics", "brightwave.io", "London"},
	{"Fjordline Logistics", "fjordline.no", "Bergen"},
	{"Kumo Robotics", "kumorobotics.jp", "Osaka"},
	{"Tessera Health", "tesserahealth.com", "Boston"},
	{"Pulsegrid", "pulsegrid.de", "Berlin"},
	{"Lumen & Lark", "lumenlark.co.uk", "Manchester"},
	{"Quanta Ledger", "quantaledger.com", "Austin"},
	{"Nordhaven Capital", "nordhaven.se", "Stockholm"},
	{"Solace Labs", "solacelabs.ai", "Toronto"},
	{"Atlas Freight Co.", "atlasfreight.com", "Rotterdam"},
	{"Verdant Foods", "verdantfoods.fr", "Lyon"},
	{"Copperleaf HR", "copperleaf.io", "Dublin"},
	{"Meridian Dental Group", "meridiandental.com", "Denver"},
	{"Orbit Fintech", "orbitfin.com.br", "São Paulo"},
	{"Helix Biotech", "helixbio.ch", "Basel"},
	{"Kestrel Security", "kestrelsec.com", "Tel Aviv"},
}

var jobTitles = []string{
	"CEO", "Co-founder & CTO", "VP Sales", "Head of Growth", "RevOps Lead",
	"CFO", "Director of Operations", "Head of Marketing", "COO", "Founder",
}

// campaignNames are the user's campaigns; statuses go with them.
var campaignNames = []struct{ name, status string }{
	{"Q4 SaaS founders — EU", "ACTIVE"},
	{"Series A CFOs — DACH", "ACTIVE"},
	{"Agency owners US (follow-up)", "ACTIVE"},
	{"Logistics ops leaders — Nordics", "PAUSED"},
	{"Healthcare IT re-engagement", "ACTIVE"},
	{"Webinar invite: outbound in 2025", "COMPLETED"},
}

// sender is the user: the owner of the sending mailboxes (from_email).
var senderName = "Morgan Reyes"
var senderMailboxes = []string{"morgan@northwindgrowth.co", "morgan.reyes@trynorthwind.com", "m.reyes@northwind-hq.com"}

// subjects of a sequence's first e-mail; later steps reply in-thread.
var subjects = []string{
	"Quick question, {first}", "{company} + Northwind", "Idea for {company}'s pipeline",
	"{first}, worth a chat?", "Outbound at {company}",
}

// sentBodies are the campaign's e-mails, as text.
var sentBodies = []string{
	"Hi {first},\n\nNoticed {company} is hiring SDRs in {city}. We help teams like yours book 30% more meetings without adding headcount.\n\nWorth a 15-minute chat next week?\n\nMorgan",
	"Hi {first},\n\nFollowing up on my last note: happy to share how a {city} team similar to {company} doubled reply rates in a quarter.\n\nBest,\nMorgan",
	"{first}, last one from me. If outbound is not a priority at {company} right now, just let me know and I will close the loop.\n\nMorgan",
}

// replies are what leads write back: text, HTML or both. {quote} becomes
// the quoted history of the e-mail they answer.
var replies = []struct{ text, html string }{
	{"Hi Morgan,\n\nThanks for reaching out. I'm interested — could you send over some times for next week?\n\nBest,\n{first}", ""},
	{"", `<div dir="ltr">Thanks Morgan, happy to chat. Does Thursday 2pm CET work?<br><br>{first}</div><br>{quote}`},
	{"Not right now, we just signed with another vendor. Ping me again in Q2?", `<div>Not right now, we just signed with another vendor. Ping me again in Q2?</div>{quote}`},
	{"I am out of the office until Monday with limited access to e-mail. For urgent matters please contact office@{domain}.", ""},
	{"I'm not the right person for this — please reach out to my colleague Sam Patel (sam.patel@{domain}), who runs our outbound team.", ""},
	{"Please remove me from your list. Do not contact me again.", ""},
	{"", `<p>What does pricing look like for a team of 12? Also, do you integrate with HubSpot?</p><p>— {first}</p>{quote}`},
	{"Merci pour votre message ! Je suis intéressée, pouvez-vous m'envoyer une démo ? 🙂", ""},
	{"Danke für die Nachricht. Aktuell kein Bedarf, aber gerne in drei Monaten wieder melden.", `<div>Danke für die Nachricht. Aktuell kein Bedarf, aber gerne in drei Monaten wieder melden.</div><div>Grüße, {first}</div>`},
	{"ご連絡ありがとうございます。来週お話しできれば幸いです。", ""},
	{"Sounds good 👍 send me a calendar link.", `<div>Sounds good 👍 send me a calendar link.</div><div><br></div>{quote}`},
	{"Who gave you my address? Not interested.", ""},
}

// bounces are the texts of bounce messages.
var bounces = []string{
	"550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.",
	"552 5.2.2 The recipient's mailbox is full and can't accept messages now.",
	"550 5.7.1 Message rejected due to local policy (sender domain reputation).",
	"554 5.4.14 Hop count exceeded - possible mail loop detected.",
	"421 4.7.0 Temporary System Problem. Try again later.",
}

// clickPaths are the tracked links in the campaign's e-mails.
var clickURLs = []string{
	"https://cal.com/morgan-northwind/20min",
	"https://northwindgrowth.co/case-studies/{slug}",
	"https://northwindgrowth.co/pricing?utm_source=smartlead&utm_campaign={campaign}",
	"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
	"https://northwindgrowth.co/blog/outbound-benchmarks-2025",
}

// fold turns a name into the ASCII an e-mail address would use.
var fold = strings.NewReplacer(
	"á", "a", "à", "a", "ã", "a", "é", "e", "è", "e", "í", "i", "ı", "i", "ó", "o",
	"ö", "oe", "ü", "ue", "ä", "ae", "ç", "c", "ñ", "n", "'", "", " ", "", "&", "and",
)

func asciiName(s string) string { return fold.Replace(strings.ToLower(s)) }

// fill replaces the {placeholders} of a template.
func fill(tmpl string, vars map[string]string) string {
	for k, v := range vars {
		tmpl = strings.ReplaceAll(tmpl, "{"+k+"}", v)
	}
	return tmpl
}
