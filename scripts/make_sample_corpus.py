#!/usr/bin/env python3
"""Regenerate the openends sample survey project in ``corpora/``.

The sample project is synthetic. It imitates two yearly surveys about child sexual abuse
material crime, in the spirit of the NetClean reports: police officers describe how
offenders use technology and what would help their investigations (waves 2017-2019), and
employers describe how such material was found in their IT environment and how the
employee reacted (2018). Every phrase below was written for this script; the answers talk
soberly about technology, investigations and workplace handling, never about abuse itself.

Design
------
* Each theme of the codebook has a bank of hand-written sentences (many phrasings, a few
  sarcastic ones, negated ones, one-word forms and Swedish/German translations).
* Codes are decided first, text second. Per wave and question, each theme gets an exact
  quota of the substantive answers (planted trends are therefore realised to the rounding),
  then every answer is assembled from one sentence per coded theme, joined with connectors,
  openers and fillers. The codes kept in ``Answer.codes`` are the truth: a negated sentence
  ("we have not seen any cryptocurrency") is added only for a theme the answer is NOT coded
  with, and a sarcastic sentence is used only for a theme it IS coded with.
* Phrases carry inline alternatives ("[Almost|Nearly] every phone") and slots, and get
  lead-ins, tails, openers and closers, so answers of five words or more are unique across
  the corpus, and answers of eight words or more share less than 70% of their word
  3-shingles with any answer of another respondent (a repeat or near repeat, such as the
  same sentence behind a different lead-in, is redrawn), unless the repetition is
  deliberate.
* Noise is layered on top: non-answers, empty cells, typos, repeated answers, foreign
  languages, personal data, very long answers, curly quotes, HTML remnants and mojibake.
* Nothing is random outside ``random.Random`` objects seeded from ``SEED``; the XLSX and SAV
  writers get fixed timestamps, so two runs give byte-identical files.

Run ``python scripts/make_sample_corpus.py [--out corpora]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import string
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyreadstat
import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

SEED = 2017
POLICE_SIZES = {2017: 482, 2018: 517, 2019: 546}
EMPLOYER_SIZE = 304
XLSX_TIMESTAMP = datetime(2018, 6, 1, 9, 0, 0)
SAV_TIMESTAMP = (b"01 Jul 19", b"09:00:00")  # the creation date and time fields of the header
SAMPLE_PER_STRATUM = 50

QUESTION_TEXT = {
    "tech": "What changes have you seen in how offenders use technology?",
    "help": "What would most help your investigations?",
    "discovered": "How was the material discovered?",
    "reaction": "How did the employee react when confronted?",
}

# ---------------------------------------------------------------------------------------
# Respondent attributes (value -> weight)
# ---------------------------------------------------------------------------------------

COUNTRIES = {
    "Sweden": 22, "Norway": 10, "Germany": 15, "United Kingdom": 15,
    "Netherlands": 10, "Other EU": 18, "Outside EU": 10,
}
ROLES = {
    "Investigator": 38, "Digital forensics": 22, "Victim identification": 10, "Manager": 12,
    "Intelligence analyst": 10, "Prosecutor liaison": 4, "Other": 4,
}
UNIT_SIZES = {"1-5": 28, "6-20": 40, "21-50": 20, "50+": 12}
SECTORS = {
    "Public administration": 18, "Finance": 12, "IT services": 14, "Manufacturing": 15,
    "Retail": 10, "Education": 10, "Healthcare": 11, "Transport and logistics": 5, "Other": 5,
}
ORG_SIZES = {"under 50": 22, "50-249": 30, "250-999": 26, "1000+": 22}
MISSING_ATTRIBUTE_RATE = 0.01

# ---------------------------------------------------------------------------------------
# Theme quotas. "planted" shares are exact (the trends reports should find); "background"
# shares are quotas too, but answers left without any theme are filled from them.
# Shares are of the substantive answers (not empty, not a non-answer).
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    planted: dict[str, float]
    background: dict[str, float]
    spread: float  # chance that a theme skips answers that already have one


TECH_PLANTED = {
    2017: {"encryption": 0.15, "darknet": 0.20, "live_streaming": 0.08, "cryptocurrency": 0.06},
    2018: {"encryption": 0.25, "darknet": 0.20, "live_streaming": 0.12, "cryptocurrency": 0.11},
    2019: {"encryption": 0.38, "darknet": 0.20, "cryptocurrency": 0.19, "live_streaming": 0.16},
}
TECH_BACKGROUND = {
    "volume": 0.20, "social_media": 0.17, "cloud_storage": 0.13, "self_produced": 0.10,
    "anonymisation": 0.08,
}
HELP_DESIGN = Design(
    planted={"more_resources": 0.40},
    background={
        "forensic_tools": 0.21, "training": 0.16, "international_cooperation": 0.12,
        "industry_cooperation": 0.11, "legislation": 0.08, "cooperation": 0.04,
    },
    spread=0.6,
)
DISCOVERED_DESIGN = Design(
    planted={},
    background={
        "it_security": 0.44, "it_maintenance": 0.22, "colleague_report": 0.20,
        "police_contact": 0.16,
    },
    spread=0.95,
)
REACTION_DESIGN = Design(
    planted={"denial": 0.40, "confession": 0.20, "resignation": 0.15},
    background={
        "silence": 0.08, "anger": 0.04, "self_harm_concern": 0.03, "emotional_reaction": 0.02,
    },
    spread=0.9,
)


def design_for(question: str, year: int) -> Design:
    if question == "tech":
        return Design(TECH_PLANTED[year], TECH_BACKGROUND, spread=0.6)
    return {"help": HELP_DESIGN, "discovered": DISCOVERED_DESIGN,
            "reaction": REACTION_DESIGN}[question]


# ---------------------------------------------------------------------------------------
# Phrase banks. {Offenders}/{offenders} is a slot; {He}/{he}/{his}/{him}/{himself} (and
# {Han}, {Er}) are the employee's pronouns, fixed per respondent.
# ---------------------------------------------------------------------------------------

PHRASES: dict[str, list[str]] = {
    "encryption": [
        "{Offenders} have moved to end-to-end encrypted [messaging apps|messengers|chat apps], "
        "so we no longer get the content of their [conversations|chats].",
        "[Almost|Nearly|Practically] every phone we seize is encrypted, and without the "
        "[passcode|PIN] there's often little we can do.",
        "[More and more|Many more|A growing number of] {offenders} store files in encrypted "
        "containers that we cannot open.",
        "Full-disk encryption has become the default on [laptops|computers], which slows "
        "down every [examination|forensic examination].",
        "Encryption is the biggest change. [Five|Ten|A few] years ago it was the exception, "
        "now it is the rule.",
        "We see encrypted [chat|messaging] apps in [nearly|almost] every case {now}.",
        "{Offenders} are far more aware of encryption and use it [deliberately|on purpose].",
        "Hidden encrypted volumes on [external drives|USB sticks|external hard drives] are "
        "becoming common.",
        "Encrypted [devices|phones|laptops] that we simply can't get into.",
        "Messages are end-to-end encrypted, so even a cooperative provider has no content "
        "to hand over.",
        "[Use of|More use of|Increased use of] encryption software such as VeraCrypt.",
        "Locked, encrypted phones are {now} our [main|biggest|single biggest] obstacle.",
        "Even fairly unsophisticated {offenders} use encrypted apps, simply because "
        "encryption is switched on by default.",
        "A clear shift towards encrypted [communication|messaging|apps].",
        "Encryption everywhere: phones, laptops, [messaging|chats|cloud backups].",
        "Encryption - on [almost|nearly] every device we see {now}.",
    ],
    "cryptocurrency": [
        "Payments are {now} [made|mostly made] in cryptocurrency rather than by card or bank "
        "transfer.",
        "We see bitcoin used to pay for access to [material|forums|content].",
        "More use of cryptocurrencies, and lately also Monero, which is much harder to trace "
        "than bitcoin.",
        "Crypto payments have become [normal|common|routine] in the cases we investigate.",
        "{Offenders} pay for access with bitcoin and move the funds through [several|many] "
        "wallets.",
        "Cryptocurrency wallets turn up on [many|more and more|a lot] of the devices we "
        "examine.",
        "Money flows have moved to crypto, which makes the financial side of the "
        "investigation much harder.",
        "An increase in payments with [digital currencies|cryptocurrencies] such as bitcoin.",
        "Subscriptions paid for with [cryptocurrency|bitcoin|crypto].",
        "Bitcoin [ATMs|machines] and exchanges are used to turn cash into crypto.",
        "Payment by cryptocurrency is becoming [standard|the norm].",
        "Privacy coins like Monero are replacing bitcoin among the more careful {offenders}.",
        "[Bitcoin|Cryptocurrency] instead of bank cards, so the money trail disappears.",
    ],
    "darknet": [
        "[A lot|Much|More] of the activity has moved to forums on the Tor network.",
        "Darknet forums with strict membership rules are [more common|widespread].",
        "{Offenders} meet on hidden services on the dark web and share advice on how to "
        "avoid detection.",
        "The dark web remains a central place for [sharing|exchange|networking].",
        "We still see the same onion [sites|services] and forums, just under new addresses.",
        "Tor is used [routinely|as standard] by the more organised {offenders}.",
        "Darknet communities are [well|very well|highly] organised, with their own rules and "
        "moderators.",
        "Use of the Tor browser to reach hidden [forums|sites|services].",
        "[Activity|More activity|Ongoing activity] on .onion forums.",
        "The darknet is still where the most organised [networks|groups] are.",
        "Dark web forums come and go, but the level of activity is about the same as "
        "[before|last year|it has been for years].",
        "Not much change on the darknet side: it was big before and it is big {now}.",
        "Forums on the darknet where new members have to prove themselves before they are "
        "let in.",
        "The so-called \"dark web\" is still where the organised groups meet.",
    ],
    "anonymisation": [
        "VPNs are used as a matter of course[| by almost everyone].",
        "{Offenders} hide their IP addresses behind VPN services[| and proxies].",
        "More use of anonymising tools, which makes it hard to identify who is behind an "
        "account.",
        "Commercial VPN services with no-logs policies are [common|everywhere].",
        "Chains of proxies and public Wi-Fi in cafés to avoid being traced.",
        "Use of anonymous prepaid SIM cards and throwaway email accounts.",
        "Anonymisation has become easy and cheap for [anyone|everyone].",
        "Operating systems designed for anonymity, such as Tails, run from a USB stick.",
        "An increase in VPN use, even among [young|first-time|less technical] {offenders}.",
        "IP addresses lead nowhere because everything goes through anonymisation services.",
        "[Much|Far] more technical knowledge in general about staying anonymous online.",
    ],
    "cloud_storage": [
        "Files are kept in cloud accounts instead of on the [devices|phones and computers] we "
        "seize.",
        "Material is stored in the cloud, often in several accounts with different "
        "providers.",
        "Use of file hosting services where links are shared and then deleted [quickly|within "
        "days].",
        "Less on local [hard drives|devices], more in online storage.",
        "Cloud storage means we need access to [accounts|online accounts] rather than devices.",
        "Automatic cloud backup from phones means files end up in the cloud without the user "
        "doing anything.",
        "{Offenders} use file-sharing links that expire after a few [days|hours].",
        "Cloud services hosted in other countries, which we cannot reach [quickly|easily].",
        "More and more is stored in the cloud[| rather than locally].",
        "[Several|Multiple|Three or four] online storage accounts per suspect.",
        "Phones sync everything to cloud accounts, so the device itself holds [very little|"
        "almost nothing].",
    ],
    "live_streaming": [
        "Live streaming is [increasing|growing], and it leaves very little trace on the devices.",
        "More cases involving paid live streams, often arranged from [other countries|abroad].",
        "Live-streamed material is a growing problem because nothing is stored.",
        "Streaming in real time through video [calling|call] services.",
        "An increase in live broadcasts on services that don't keep recordings.",
        "Streaming rather than downloading.",
        "{Offenders} increasingly watch live rather than [collect|download and keep] files.",
        "Pay-per-view live streaming, which we did not see a few years ago.",
        "More live streaming, which is very hard to [prove|document] afterwards.",
        "A shift from stored files to live streams.",
    ],
    "self_produced": [
        "A growing share of the material was produced by the young people themselves, with "
        "their own phones.",
        "Self-generated images taken by children themselves are {now} a [large|big] part of "
        "what we see.",
        "More self-produced material, often recorded with a [webcam|phone] at home.",
        "Images that teenagers took of themselves and that were then spread further.",
        "Self-produced material makes up a bigger share [every year|than before].",
        "Much of the new material is self-generated, taken by the young people themselves on "
        "their phones.",
        "Young people filming themselves on their phones, after being persuaded to do so.",
        "An increase in selfie-type images made by minors themselves.",
        "Content produced by children with their own webcams.",
        "Self-generated content from [phones|mobile phones|webcams and phones].",
    ],
    "volume": [
        "The amount of data per case has exploded; a single seizure can be several "
        "terabytes.",
        "Every suspect has more devices: phones, tablets, laptops, external drives, games "
        "consoles.",
        "The volumes are enormous. We seize more storage in every search.",
        "Collections are much larger than before, sometimes [millions of|several million] files.",
        "Growing amounts of data to go through in every [case|investigation].",
        "Storage is cheap, so {offenders} keep everything.",
        "The number of seized devices per case has roughly [doubled|tripled].",
        "Terabytes instead of gigabytes.",
        "We regularly seize [5|8|10|20] TB or more from a single home.",
        "Far more data and far more devices than [a few|five] years ago.",
        "The sheer volume of data makes it impossible to look at everything by hand.",
        "Bigger [hard drives|disks], bigger collections.",
        "Terabytes - not gigabytes - per case.",
    ],
    "social_media": [
        "{Offenders} use social media to get in [contact|touch] with children.",
        "Gaming platforms and their chat functions are used to make first contact.",
        "Contact is made on apps that are popular with teenagers, then moved to private "
        "chats.",
        "More contact through online games and the chat [features|functions] around them.",
        "Social media and chat apps are the main way to reach [young people|children|"
        "teenagers].",
        "{Offenders} create profiles on popular apps and pretend to be the same age as the "
        "children they talk to.",
        "First contact on [Instagram|Snapchat|TikTok|Instagram or Snapchat], then a move to "
        "other apps.",
        "Chat apps and game servers such as Discord are used a lot[| to make contact].",
        "Contact through social networks has grown [massively|a lot|enormously].",
        "Social media and gaming platforms are used to approach [children|minors].",
        "New apps appear all the time and {offenders} are quick to use them to reach "
        "children.",
        "Chats in online games[| and on social media].",
    ],
    "more_resources": [
        "More staff. We are far too few for the number of [cases|reports we get].",
        "More investigators and more time [per case|for each case].",
        "A bigger budget so we can [actually|finally] hire the people we need.",
        "[Resources|More resources], resources, resources.",
        "Time. Every case is rushed because of the [backlog|workload].",
        "More people in the unit; at the moment [two|three] of us cover the whole "
        "[region|county|district].",
        "Proper staffing. We've had [vacancies|empty posts] for over a year.",
        "Enough funding to keep experienced [officers|investigators] instead of losing them "
        "to other units.",
        "More personnel dedicated to this [crime area|type of crime] only.",
        "Money for extra staff; around €[150,000|200,000|250,000] a year would make a real "
        "difference to a unit our size.",
        "We need more people to go through the [seized material|seized devices|material we "
        "seize].",
        "More resources in general, above all time to do the work [properly|well].",
        "Dedicated staff rather than borrowing [officers|people] from other units.",
        "An end to the [constant|endless|yearly] budget cuts.",
        "Additional [analysts and investigators|investigators and analysts|staff].",
        "Staff - that is the [main|only real] thing.",
        "More \"boots on the ground\": we simply don't have enough [officers|people].",
        "[Double|Twice] the number of investigators we have today.",
        "A budget that matches the number of cases we [are given|receive].",
    ],
    "training": [
        "Training for first responders so that devices are handled correctly at the scene.",
        "Regular training on new [apps and services|apps|technology].",
        "Better training for new [investigators|colleagues|staff in the unit].",
        "More courses, especially on [tracing cryptocurrency|the darknet|new apps].",
        "Hands-on training in handling encrypted devices.",
        "Specialist education for everyone who works with these cases, not just the forensic "
        "staff.",
        "Training for prosecutors and judges as well as for [police|us].",
        "Keeping our skills up to date; the technology changes faster than our [training|"
        "courses].",
        "Practical workshops on the latest [investigation|online investigation] techniques.",
        "Proper training in online [investigation|undercover] techniques.",
        "More training, full stop.",
        "An annual course so we can keep up with new [technology|apps].",
        "Training - not just \"awareness\" sessions but real technical courses.",
    ],
    "forensic_tools": [
        "Better forensic software that can cope with the [volumes|amount of data].",
        "Automated image classification so we don't have to look at every [file|image] "
        "[ourselves|by hand].",
        "Tools that automatically sort out already known material using hash values.",
        "Access to a shared hash database[| across the country| for all units].",
        "Faster extraction tools for [phones|mobile phones|smartphones].",
        "AI-based classification of images and [video|videos].",
        "Software that compares new material against known material [automatically|for us].",
        "Better tools for [analysing|reviewing] video, not just still images.",
        "Up-to-date licences for the forensic tools we already [have|use].",
        "A tool that flags previously unseen material so we can focus on identifying "
        "victims.",
        "Automated tools for grouping similar [images|images and videos].",
        "Better hashing tools, including perceptual hashing[| for video].",
        "Machine learning to prioritise which [devices|files] to examine first.",
    ],
    "cooperation": [
        "Closer cooperation with [social services and schools|social services].",
        "Better collaboration between the police districts.",
        "More cooperation between everyone involved in these cases.",
        "A joint working group with prosecutors and child protection services.",
        "Better cooperation with the [prosecution service|prosecutors].",
        "Working more closely with other agencies in our own country.",
    ],
    "international_cooperation": [
        "Faster mutual legal assistance. Requests take [months|far too long].",
        "Better international cooperation through Europol and Interpol.",
        "Quicker answers when we need data from [other countries|abroad].",
        "Joint investigation teams with neighbouring countries.",
        "[Easier|Faster|Simpler] cross-border data requests.",
        "Direct contact with colleagues abroad instead of going through the formal channels "
        "every time.",
        "Faster responses to MLA requests[| from other countries].",
        "More support from Europol in coordinating cases that span several countries.",
        "International cooperation, since almost every case has [links|a link] abroad.",
        "A simpler process for getting evidence from abroad.",
        "Better access to what Interpol can offer.",
        "Europol - faster and more direct contact with the liaison officers.",
    ],
    "industry_cooperation": [
        "Platforms responding faster to our [requests|data requests].",
        "Internet service providers keeping logs long enough for us to use them.",
        "Data retention. By the time we ask, the data is gone.",
        "Tech companies detecting and reporting more [proactively|on their own initiative].",
        "A single point of contact at each of the big platforms.",
        "Faster answers from [social media companies|the platforms] when we send a request.",
        "Better cooperation with the industry, especially the app providers.",
        "ISPs that answer within days, not [months|weeks].",
        "Platforms preserving data as soon as we ask[| for it].",
        "Providers giving us subscriber information without weeks of delay.",
        "Service providers sharing information about accounts more quickly.",
    ],
    "legislation": [
        "Legislation that keeps up with [the technology|technology|how offenders work].",
        "A clear legal basis for working undercover online.",
        "Laws that allow us to require suspects to unlock their devices.",
        "Tougher sentences[| for these crimes].",
        "Changes in the law on accessing data during a search.",
        "Clearer legislation on [online grooming|grooming online].",
        "Updated legislation; the current laws were written before smartphones.",
        "Legislation allowing lawful hacking of devices in serious cases.",
        "New laws, plain and simple[|, that is what we need].",
        "Legal changes that make it possible to keep seized data longer.",
    ],
    "it_security": [
        "Our web filter flagged [attempts|repeated attempts] to reach blocked sites from {his} "
        "[computer|laptop].",
        "The [security team|IT department|IT security team] received an alert from our "
        "monitoring software.",
        "Detected by software that scans our network for known material.",
        "An automatic alert from the [firewall|proxy server|web gateway].",
        "Our IT security department noticed unusual traffic and looked into it.",
        "The detection tool on our network matched files against a hash list.",
        "Through our monitoring system.",
        "Security software on the [laptop|workstation|company phone] raised an alarm.",
        "The filtering software blocked downloads and logged the user.",
        "Our data loss prevention system picked it up.",
        "A security alert on one of the [file servers|shared drives].",
        "The antivirus software quarantined files and IT looked into it.",
    ],
    "colleague_report": [
        "A colleague saw something on {his} screen and told [the manager|HR|our manager].",
        "A [co-worker|colleague|team member] reported it to [HR|the manager|management].",
        "Through our whistleblowing channel.",
        "A colleague noticed [images|files] on a shared drive and reported it.",
        "An employee raised concerns with their line manager.",
        "Someone in the team saw it and went straight to HR.",
        "A colleague reported it[| to us| to the manager| to HR].",
        "Another employee found files on a shared computer and informed management.",
        "A team member reported {his} behaviour, and the files were found when we looked "
        "into it.",
        "Reported by colleagues.",
    ],
    "it_maintenance": [
        "The IT technician found the files while repairing {his} [laptop|computer|PC].",
        "During a routine [upgrade|software update|Windows upgrade] of {his} computer.",
        "It came to light when the computer was sent in for repair.",
        "Found when we reinstalled {his} [workstation|laptop|computer].",
        "During migration to new laptops the IT staff found the material.",
        "Helpdesk staff came across it while fixing a problem on {his} machine.",
        "When {his} old computer was wiped before being reused.",
        "During routine [maintenance|maintenance of the computers|IT maintenance].",
        "Our IT [supplier|contractor] found it when replacing a hard drive.",
        "Found during a backup check.",
    ],
    "police_contact": [
        "The police [contacted us|called us|got in touch with us].",
        "We were contacted by the police, who had traced activity to our network.",
        "Police arrived [at our office|one morning] with a search warrant.",
        "The police informed us that an employee was under investigation.",
        "Through a request from the police about one of our IP addresses.",
        "We first heard about it [from the police|when the police called].",
        "Officers came to the office and seized {his} computer.",
        "The police got in touch after an investigation elsewhere.",
        "A police investigation led them to us.",
    ],
    "denial": [
        "{He} denied [everything|all of it|it completely].",
        "{He} claimed that someone else must have used {his} computer.",
        "{He} said it had to be [a virus|malware|some kind of virus].",
        "{He} insisted {he} had no idea how the files got there.",
        "Flat denial.",
        "{He} denied it and said {he} had been hacked.",
        "{He} blamed a [colleague|family member|relative] who had borrowed the laptop.",
        "Complete denial, even when shown the logs.",
        "{He} said the files must have been downloaded by accident.",
        "{He} refused to accept that the files were {his}.",
        "{He} denied any knowledge of [it|the files|the material].",
        "{He} kept saying it was all a misunderstanding.",
    ],
    "confession": [
        "{He} admitted it [straight away|immediately|right away].",
        "{He} confessed almost immediately.",
        "{He} acknowledged what {he} had done.",
        "{He} admitted everything when we showed {him} the [evidence|logs|files].",
        "Confessed.",
        "{He} owned up and said {he} knew it was wrong.",
        "{He} admitted it and said {he} had been expecting this day.",
        "A full confession.",
        "{He} did not try to explain it away and admitted it.",
        "{He} admitted downloading the files.",
    ],
    "resignation": [
        "{He} resigned [the same day|the next day|within a day].",
        "{He} handed in {his} notice before we had a chance to act.",
        "{He} quit [immediately|on the spot].",
        "Resigned.",
        "{He} left the company on {his} own initiative within a week.",
        "{He} chose to resign rather than go through the process.",
        "{He} offered {his} resignation at the meeting.",
        "{He} resigned and did not come back to the office.",
    ],
    "emotional_reaction": [
        "{He} was [very|extremely|clearly] upset and cried.",
        "{He} became very emotional.",
        "{He} was visibly shaken.",
        "{He} broke down in tears.",
        "Tears, mostly.",
        "{He} was very emotional and could hardly speak.",
    ],
    "anger": [
        "{He} became [angry|very angry|agitated] and raised {his} voice.",
        "{He} was furious and accused us of spying on {him}.",
        "Aggressive. {He} threatened to sue the company.",
        "{He} shouted at the HR manager and walked out of the meeting.",
        "Very angry.",
        "{He} reacted with anger at having been monitored.",
        "{He} lost {his} temper.",
        "{He} was hostile and made threats against {his} manager.",
    ],
    "self_harm_concern": [
        "{He} said {he} did not want to live any more, so we made sure {he} was not left "
        "alone and contacted occupational health.",
        "{He} talked about harming {himself}; we called for medical support.",
        "We were concerned about {his} safety after {he} mentioned suicide, and arranged for "
        "someone to accompany {him} home.",
        "{He} was in great distress and said things that made us fear {he} might harm "
        "{himself}.",
        "{He} expressed thoughts of self-harm, and we involved healthcare the same day.",
        "There was a real risk of self-harm, so we contacted {his} family and a doctor.",
        "{He} hinted at taking {his} own life. We took it seriously and got professional "
        "help involved.",
    ],
    "silence": [
        "{He} did not comment[| at all| on it| on the findings].",
        "{He} refused to answer [any|our] questions.",
        "{He} asked for a lawyer and said nothing more.",
        "No reaction at all; {he} just listened.",
        "{He} remained silent throughout the meeting.",
        "{He} wanted to speak to {his} union representative before saying anything.",
        "'No comment' was all {he} said.",
        "{He} said {he} would not discuss it without a lawyer present.",
    ],
}

SARCASTIC: dict[str, list[str]] = {
    "encryption": [
        "Of course nobody uses encryption, it only comes switched on by default on every "
        "phone we seize.",
        "Oh, nothing much. Just that every device we pick up is encrypted now.",
    ],
    "cryptocurrency": [
        "Oh yes, they all pay by bank transfer in their own name. Or rather, in bitcoin.",
    ],
    "darknet": [
        "The dark web is just a media myth, according to people who have never worked a "
        "case on it.",
        "Tor forums are apparently a thing of the past. Someone should tell the forums.",
    ],
    "volume": [
        "Great news: the average suspect now has only nine devices and a few terabytes of "
        "data.",
        "Oh, nothing, apart from the minor detail that every case now comes with terabytes "
        "of data.",
    ],
    "cloud_storage": [
        "Lovely how everything now lives in cloud accounts we can't get into.",
    ],
    "social_media": [
        "Every new chat app is another wonderful opportunity for {offenders} to reach "
        "children. Fantastic.",
    ],
    "live_streaming": [
        "Live streams are so convenient for {offenders}: watch, close the window, nothing "
        "left for us to find.",
    ],
    "more_resources": [
        "Oh sure, another budget cut will really help.",
        "Because clearly two investigators can review ten terabytes a month.",
        "Another reorganisation, obviously. That always solves the lack of staff.",
        "Staff? What a radical idea.",
        "Maybe the staff we were promised three years ago. Any day now.",
    ],
    "training": [
        "Another online course with a multiple-choice quiz will surely do it. What we "
        "actually need is hands-on training.",
        "Learning new apps from the suspects themselves works brilliantly, so who needs "
        "training?",
    ],
    "forensic_tools": [
        "Our forensic software from ten years ago is perfect, who needs updates?",
        "Clicking through 200,000 images one by one is very relaxing. Some automated "
        "classification would be nice, though.",
    ],
    "international_cooperation": [
        "Waiting nine months for an answer to a mutual legal assistance request is clearly "
        "the ideal way to work.",
        "Letters rogatory are famously quick, said no investigator ever.",
    ],
    "industry_cooperation": [
        "The platforms answer our requests so quickly. Within a year, usually.",
        "Very kind of the providers to delete the logs just before our request arrives.",
    ],
    "legislation": [
        "The law is perfectly up to date with technology, as long as it's still 1999.",
        "Our laws were clearly written with smartphones in mind. Oh wait.",
    ],
    "it_security": [
        "For once the web filter earned its licence fee: it flagged the downloads.",
    ],
    "it_maintenance": [
        "Our expensive monitoring system found nothing, of course. The repair shop did.",
    ],
    "colleague_report": [
        "Not thanks to any of our clever systems: a colleague simply looked at the screen "
        "and told the manager.",
    ],
    "denial": [
        "Apparently a virus downloaded it all. Thousands of files. Sure.",
        "{He} was \"absolutely shocked\" and had no idea how any of it got there. Of course.",
        "According to {him}, the laptop did it all by itself.",
    ],
    "anger": [
        "{He} took it extremely well, if you count shouting at the HR manager and slamming "
        "the door.",
    ],
    "resignation": [
        "{He} handed in {his} notice the same afternoon, which saved everyone a great deal "
        "of paperwork.",
    ],
}

# Mentions that deny or dismiss a theme. By the coding rule they are NOT coded.
NEGATED: dict[str, list[str]] = {
    "encryption": [
        "Encryption is less of a problem than people think.",
        "We have not seen much encryption in our cases.",
        "Encryption has not been an issue for us so far.",
        "Contrary to what you read, encryption is not the main obstacle.",
    ],
    "cryptocurrency": [
        "We have not seen any use of cryptocurrency so far.",
        "No cryptocurrency payments in our cases yet.",
        "Bitcoin has not played a role in any of my cases.",
    ],
    "darknet": [
        "Not much darknet activity in our cases, despite what the media say.",
        "I have never seen a case involving Tor.",
        "The dark web is not where our cases come from.",
    ],
    "anonymisation": [
        "VPNs are not something we come across much.",
        "{Offenders} here don't bother with VPNs.",
    ],
    "cloud_storage": ["Cloud storage has not been relevant in our cases."],
    "live_streaming": [
        "We have had no live streaming cases.",
        "Live streaming is not something we have encountered.",
    ],
    "self_produced": ["We have not seen an increase in self-produced material."],
    "volume": ["The amount of data is not really the problem."],
    "social_media": ["Social media is not the main channel in our cases."],
    "more_resources": [
        "Money is not the issue; we have the staff.",
        "It is not about more staff.",
        "Resources are not our problem this year.",
    ],
    "training": [
        "Training is not the problem, we have had plenty of courses.",
        "We do not need more training.",
    ],
    "forensic_tools": ["The software is not the problem, our tools are good."],
    "international_cooperation": [
        "International cooperation already works well, that is not where the problem is.",
    ],
    "industry_cooperation": [
        "The platforms are actually responsive, so that is not an issue.",
    ],
    "legislation": [
        "The laws are not the problem.",
        "I do not think new legislation is needed.",
    ],
    "it_security": [
        "Our filtering software did not pick anything up.",
        "It was not found by any of our security systems.",
    ],
    "colleague_report": ["No colleague had noticed anything."],
    "it_maintenance": ["Our IT staff had not noticed anything during routine work."],
    "police_contact": ["The police were not involved in the discovery."],
    "denial": ["{He} did not deny anything.", "There was no attempt to deny it."],
    "confession": ["{He} never admitted anything."],
    "resignation": ["{He} did not resign; we dismissed {him}."],
    "anger": ["{He} did not get angry or raise {his} voice."],
    "self_harm_concern": [
        "There was no sign that {he} would harm {himself}, but we offered support anyway.",
    ],
    "silence": ["{He} was not silent at all; {he} talked at length."],
}

SHORT: dict[str, list[str]] = {
    "encryption": ["Encryption", "encryption", "Encryption.", "More encryption",
                   "Encrypted phones", "E2EE apps"],
    "cryptocurrency": ["Bitcoin", "Cryptocurrency", "crypto payments", "Monero"],
    "darknet": ["Darknet", "Tor", "Dark web", "TOR"],
    "anonymisation": ["VPN", "VPNs", "Anonymisation"],
    "cloud_storage": ["Cloud", "Cloud storage", "cloud services"],
    "live_streaming": ["Live streaming", "Livestreaming", "Streaming"],
    "self_produced": ["Self-produced material", "Self-generated content"],
    "volume": ["Volume", "More data", "Huge volumes of data", "More devices"],
    "social_media": ["Social media", "Gaming platforms", "Snapchat"],
    "more_resources": ["More staff", "More staff.", "Resources", "More resources", "Time",
                       "Money", "Staff", "more people"],
    "training": ["Training", "More training", "training"],
    "forensic_tools": ["Better tools", "Better software", "Automation", "Hash databases"],
    "cooperation": ["Cooperation", "Better cooperation"],
    "international_cooperation": ["Europol", "Faster MLA", "International cooperation"],
    "industry_cooperation": ["Data retention", "Faster answers from providers"],
    "legislation": ["Legislation", "Better laws", "New laws"],
    "it_security": ["Web filter", "Monitoring software", "IT security"],
    "colleague_report": ["Colleague", "A colleague reported it", "Tip-off from a colleague"],
    "it_maintenance": ["Repair", "During repair", "IT maintenance"],
    "police_contact": ["Police", "The police", "Police contact"],
    "denial": ["Denial", "Denied", "Denied everything"],
    "confession": ["Confessed", "Admitted it", "Confession"],
    "resignation": ["Resigned", "Quit"],
    "emotional_reaction": ["Upset", "Very emotional"],
    "anger": ["Angry", "Anger"],
    "silence": ["Silence", "Said nothing"],
}

FOREIGN: dict[str, dict[str, list[str]]] = {
    "sv": {
        "encryption": ["Allt mer krypterad kommunikation, framför allt appar med "
                       "end-to-end-kryptering.",
                       "Krypterade [telefoner|mobiler] och datorer som vi inte "
                       "[kommer åt|kan låsa upp]."],
        "cryptocurrency": ["Betalningar sker allt oftare med kryptovaluta, främst bitcoin.",
                           "Mer kryptovaluta, t.ex. bitcoin och monero."],
        "darknet": ["Mycket av aktiviteten sker på forum i Tor-nätverket.",
                    "Darknet-forum med hårda krav för att bli medlem."],
        "anonymisation": ["Fler använder VPN-tjänster för att dölja sin IP-adress."],
        "cloud_storage": ["Materialet lagras i molntjänster i stället för på datorn."],
        "live_streaming": ["Fler ärenden med livestreaming, som inte lämnar några spår på "
                           "enheten."],
        "self_produced": ["En allt större del av materialet är självproducerat, taget av "
                          "ungdomarna själva med mobilen."],
        "volume": ["Datamängderna per ärende ökar kraftigt, ofta flera terabyte per beslag."],
        "social_media": ["Kontakten tas via sociala medier och spelplattformar."],
        "more_resources": ["Mer personal och mer tid för [utredningarna|varje ärende].",
                           "Fler utredare, så som det ser ut nu hinner vi inte med."],
        "training": ["Bättre utbildning för nya utredare."],
        "forensic_tools": ["Bättre [verktyg|program] för automatisk "
                           "[klassificering|sortering] av bilder."],
        "cooperation": ["Bättre samarbete med socialtjänsten och skolan."],
        "international_cooperation": ["[Snabbare|Smidigare] internationellt samarbete, till "
                                      "exempel via [Europol|Europol eller Interpol]."],
        "industry_cooperation": ["Att plattformarna svarar snabbare på våra förfrågningar."],
        "legislation": ["[Tydligare|Modernare] lagstiftning som hänger med i den [tekniska|snabba] "
                        "utvecklingen."],
        "it_security": ["Vårt webbfilter larmade om försök att nå blockerade sidor."],
        "colleague_report": ["En kollega såg något på skärmen och sa till chefen."],
        "it_maintenance": ["Det upptäcktes när datorn var inlämnad på reparation."],
        "police_contact": ["Polisen kontaktade oss."],
        "denial": ["{Han} förnekade allt."],
        "confession": ["{Han} erkände direkt."],
        "resignation": ["{Han} sa upp sig samma dag."],
        "emotional_reaction": ["{Han} blev väldigt ledsen och grät."],
        "anger": ["{Han} blev mycket arg."],
        "self_harm_concern": ["{Han} pratade om att skada sig själv, så vi kontaktade "
                              "företagshälsovården direkt."],
        "silence": ["{Han} ville inte kommentera det och bad om en advokat."],
    },
    "de": {
        "encryption": ["Zunehmend verschlüsselte Kommunikation über Messenger mit "
                       "Ende-zu-Ende-Verschlüsselung.",
                       "Verschlüsselte Geräte, die wir nicht entsperren können."],
        "cryptocurrency": ["Bezahlt wird immer häufiger mit Kryptowährungen wie Bitcoin oder "
                           "Monero."],
        "darknet": ["Die Täter bewegen sich verstärkt in Foren im Darknet.",
                    "Viel Aktivität in Tor-Foren mit strengen Aufnahmeregeln."],
        "anonymisation": ["Nutzung von VPN-Diensten, um die IP-Adresse zu verschleiern."],
        "cloud_storage": ["Die Daten liegen zunehmend in Cloud-Speichern statt auf lokalen "
                          "Geräten."],
        "live_streaming": ["Mehr Fälle mit Live-Streaming, bei denen auf dem Gerät kaum "
                           "Spuren bleiben."],
        "self_produced": ["Ein wachsender Anteil des Materials wird von Jugendlichen selbst "
                          "mit dem Handy aufgenommen."],
        "volume": ["Die Datenmengen pro Verfahren steigen enorm, oft mehrere Terabyte."],
        "social_media": ["Kontaktaufnahme [über|via] soziale Netzwerke und "
                         "[Online-Spiele|Spieleplattformen]."],
        "more_resources": ["Mehr Personal und mehr Zeit für die "
                           "[Auswertung|Auswertung der Datenträger].",
                           "Mehr Ermittler, wir kommen mit der Arbeit nicht hinterher."],
        "training": ["Regelmäßige Fortbildungen zu neuen Technologien."],
        "forensic_tools": ["Bessere [Software|Werkzeuge] zur automatischen Bilderkennung "
                           "und zum [Hash-Abgleich|Abgleich mit Hash-Datenbanken]."],
        "cooperation": ["Bessere Zusammenarbeit mit Jugendämtern und Schulen."],
        "international_cooperation": ["Schnellere internationale Rechtshilfe."],
        "industry_cooperation": ["Schnellere Auskünfte von Providern und "
                                 "Plattformbetreibern."],
        "legislation": ["[Klarere|Eindeutigere] gesetzliche Grundlagen für verdeckte "
                        "Ermittlungen im [Internet|Netz]."],
        "it_security": ["Unser Webfilter hat Alarm geschlagen."],
        "colleague_report": ["Ein Kollege hat etwas auf dem Bildschirm gesehen und es "
                             "gemeldet."],
        "it_maintenance": ["Bei einer Reparatur des Laptops entdeckt."],
        "police_contact": ["Die Polizei hat uns kontaktiert."],
        "denial": ["{Er} hat alles abgestritten."],
        "confession": ["{Er} hat es sofort zugegeben."],
        "resignation": ["{Er} hat noch am selben Tag gekündigt."],
        "emotional_reaction": ["{Er} war sehr aufgewühlt und hat geweint."],
        "anger": ["{Er} wurde sehr wütend."],
        "self_harm_concern": ["{Er} äußerte Gedanken, sich etwas anzutun; wir haben sofort "
                              "ärztliche Hilfe hinzugezogen."],
        "silence": ["{Er} wollte sich nicht äußern und verlangte einen Anwalt."],
    },
}

OPENERS = {
    "tech": ["The main changes I have seen:", "In short:", "Over the past year or two:",
             "From what we see in our unit:", "Biggest change:", "Speaking for my unit:"],
    "help": ["Honestly:", "Simply put:", "Top of my list:", "If I could choose one thing:",
             "Good question."],
    "discovered": ["In our case:", "It happened like this.", "Briefly:"],
    "reaction": ["We held a meeting with {him} and HR.", "It was a difficult meeting.",
                 "We confronted {him} with the findings."],
}
OPENERS_FOR_SEVERAL = {  # only where the answer names more than one theme
    "tech": ["Several things.", "Hard to pick one thing.", "A few observations."],
    "help": ["In order of importance:", "A few things."],
    "discovered": [],
    "reaction": [],
}
CLOSERS = {
    "tech": ["It is getting harder every year.", "That is the main trend.",
             "The pace of change is the real challenge.", "Happy to elaborate.",
             "That sums it up.", "Each of these makes our work slower.",
             "We struggle to keep up."],
    "help": ["Without that we are fighting a losing battle.",
             "That would make the biggest difference.", "It is not complicated.",
             "Thanks for asking.", "Everything else is secondary."],
    "discovered": ["We reported it to the police straight away.",
                   "HR was involved from the start.",
                   "We secured the computer and involved our legal department.",
                   "The employee was suspended pending investigation."],
    "reaction": ["We followed our internal procedure.",
                 "The matter was handed over to the police.",
                 "It was handled by HR and our lawyer."],
}
ELABORATIONS = {
    "tech": [
        "This was rare when I started in this job.",
        "It affects almost every case we have now.",
        "The change has been gradual but very clear.",
        "It means we have to plan searches and interviews differently.",
        "Our methods have not kept pace.",
        "Younger suspects in particular are very comfortable with this.",
        "The knowledge spreads quickly between offenders.",
        "In practice it means cases take much longer to complete.",
        "Courts and prosecutors do not always understand what this means for the evidence.",
        "I expect this to continue over the next few years.",
        "It is not only the sophisticated offenders any more.",
        "Each new version of the apps seems to make it harder.",
    ],
    "help": [
        "At the moment we are constantly prioritising and some cases simply wait.",
        "It is the single biggest bottleneck we have.",
        "Colleagues in other units say the same.",
        "We have raised this many times internally.",
        "Without it, everything else we do is slower than it needs to be.",
        "The need has grown every year since I joined the unit.",
        "This is not a new request, but it is more urgent now.",
        "It would have a direct effect on how quickly children can be identified.",
        "Every month of delay means cases that are never completed.",
        "Our management knows this, but nothing has happened so far.",
    ],
    "discovered": [
        "It was a shock for everyone involved.",
        "Nobody had suspected anything beforehand.",
        "We had never dealt with anything like this before.",
        "Our procedures were not prepared for a case like this.",
        "The person had been with the company for many years.",
        "Looking back, there were no warning signs.",
    ],
    "reaction": [
        "The meeting was short.",
        "We had prepared the meeting with HR and legal.",
        "It was a very difficult situation for the manager.",
        "We had a second person in the room throughout.",
        "Afterwards we offered support to the colleagues who had been involved.",
        "None of us had been trained for a conversation like that.",
    ],
}
# Sentences that develop one theme in a long answer (coded with that theme only).
DETAILS: dict[str, list[str]] = {
    "encryption": [
        "In a recent case we seized eleven devices and could open only three of them.",
        "We now try to secure phones while they are still unlocked at the arrest, because "
        "afterwards it is often too late.",
        "Without the content of the conversations, proving intent becomes much harder.",
        "Guessing a strong password is not realistic, so we depend on mistakes or on the "
        "suspect's cooperation.",
    ],
    "cryptocurrency": [
        "Following the money used to be one of our best methods; now it needs specialist "
        "blockchain analysis that few of us can do.",
        "Exchanges inside the EU do respond to requests, but many of the services used are "
        "based elsewhere.",
        "We have started to look for hardware wallets and recovery phrases during searches.",
    ],
    "darknet": [
        "The forums have rules on what members may discuss, including how to avoid us.",
        "When a site is taken down, its members move to a new address within days.",
        "Members often have to stay active to keep their access, so the communities are "
        "very stable.",
    ],
    "anonymisation": [
        "Tracing an IP address now often ends at a commercial service that keeps no logs.",
        "It used to be the exception; now even first-time suspects do it.",
        "Identification therefore takes far longer than it did five years ago.",
    ],
    "cloud_storage": [
        "If we do not get the login details during the search, the account is often out of "
        "reach.",
        "By the time we get access to an account, files may have been moved or deleted.",
        "A seized phone may hold almost nothing while the account behind it holds years of "
        "files.",
    ],
    "live_streaming": [
        "Often the only traces are chat logs and payment records, not the streams "
        "themselves.",
        "Proving what was watched is very difficult when nothing was saved.",
        "These cases often involve facilitators in other countries who arrange the streams "
        "for a fee.",
    ],
    "self_produced": [
        "Many young people do not realise how quickly such images spread.",
        "Identification is different, since these images often contain few clues about "
        "where they were taken.",
        "We see this across all teenage age groups, not only among older teenagers.",
    ],
    "volume": [
        "Going through everything by hand is simply impossible at this scale.",
        "The backlog of unexamined devices grows every month.",
        "A single search can produce more data than a whole case did ten years ago.",
    ],
    "social_media": [
        "The first conversation often looks harmless, and the contact moves to private "
        "chats quickly.",
        "New apps become popular with teenagers faster than we can learn how they work.",
        "The same person may keep up contact with many young people on several apps at "
        "once.",
    ],
    "more_resources": [
        "Right now two experienced investigators carry most of the caseload.",
        "We lose good people because the workload is not sustainable.",
        "Cases wait for months before anyone can start on them.",
    ],
    "training": [
        "Many first responders still switch off devices at the scene, which can lock us out "
        "for good.",
        "New colleagues learn mostly by trial and error at the moment.",
        "A short course every year would already help.",
    ],
    "forensic_tools": [
        "Today much of the review is done manually, file by file.",
        "Tools that sort out known material would let us focus on what is new.",
        "Our current software struggles with cases of several terabytes.",
    ],
    "cooperation": [
        "Today each agency works on its own part of a case and information gets lost "
        "between us.",
        "Social services often know things that would help us much earlier.",
    ],
    "international_cooperation": [
        "A request to another country can take six months, and by then the trail is often "
        "cold.",
        "Informal contacts through Europol work well, but they depend on individuals.",
        "Almost every case now has a link to at least one other country.",
    ],
    "industry_cooperation": [
        "Some companies answer within days, others never answer at all.",
        "When logs are deleted after a few weeks, an investigation can stop before it "
        "starts.",
        "A clear contact point at each company would save us a great deal of time.",
    ],
    "legislation": [
        "The current rules were written before smartphones and cloud services existed.",
        "Some methods are legal in neighbouring countries but not here.",
        "Clearer rules would also make it easier for prosecutors to take cases to court.",
    ],
    "it_security": [
        "The alert went to the IT security team, who escalated it to HR the same day.",
        "It was the first time the system had flagged anything like this.",
    ],
    "colleague_report": [
        "It took courage to report it, and we made sure the colleague was protected.",
        "The colleague went to the manager the same afternoon.",
    ],
    "it_maintenance": [
        "The technician stopped working on the machine at once and informed the manager.",
        "It was pure chance; the repair had nothing to do with it.",
    ],
    "police_contact": [
        "They asked us to secure the computer and not to inform the employee.",
        "We gave them access to the logs they asked for.",
    ],
    "denial": [
        "{He} stuck to this explanation throughout the meeting.",
        "Even when shown the logs, {he} kept to the same story.",
    ],
    "confession": [
        "{He} seemed almost relieved that it had come out.",
        "{He} explained that it had been going on for some time.",
    ],
    "resignation": ["The employment ended there.", "We did not try to change {his} mind."],
    "emotional_reaction": [
        "We paused the meeting several times.",
        "It was clear that {he} was struggling to take it in.",
    ],
    "anger": [
        "We had to end the meeting early.",
        "Two colleagues had to accompany {him} out of the building.",
    ],
    "self_harm_concern": [
        "We made sure {he} was not alone when leaving the building.",
        "Our occupational health service followed up the next day.",
    ],
    "silence": [
        "The meeting ended after a few minutes.",
        "Everything after that went through {his} lawyer.",
    ],
}
CONNECTORS = {
    "tech": ["Also, ", "In addition, ", "On top of that, ", "Besides that, ", "And "],
    "help": ["Also, ", "Secondly, ", "And ", "Apart from that, ", "Beyond that, "],
    "discovered": ["In addition, ", "At the same time, ", "Also, "],
    "reaction": ["Later ", "Then ", "After a while ", "In the end ", "Eventually "],
}
# Personal touches on a plain sentence: a lead-in, or a clause before its full stop.
LEAD_INS = {
    "tech": ["Mainly: ", "In my experience: ", "Most of all: ", "For us: ", "Main thing: ",
             "Clearly: ", "Above all: "],
    "help": ["We need: ", "Mainly: ", "Above all: ", "Most of all: ", "For my unit: ",
             "Number one: "],
    "discovered": ["Briefly: ", "In short: "],
    "reaction": [],
}
TAILS = {
    "tech": [", especially over the last year", ", more than ever", ", at least in our region",
             ", at least in my cases", ", and it keeps increasing"],
    "help": [", as soon as possible", ", if at all possible", " - that would be a start",
             ", sooner rather than later"],
    "discovered": [" about a year ago", " last spring", " a few months ago", " in the autumn"],
    "reaction": [" in the meeting", " in front of HR", " during the meeting with HR"],
}
NO_TAIL = {"resignation", "self_harm_concern"}  # a time clause would contradict these
# What follows a negated sentence that opens an answer ("... so far. But ...").
BRIDGES = {
    "tech": ["What we do see: ", "What we do see is this: ", "The real change: "],
    "help": ["What we need: ", "What would help: ", "The real need: "],
    "discovered": ["What happened: ", "In our case: "],
    "reaction": [],
}
NEGATION_ONLY_OPENERS = {
    "tech": ["Not much has changed in my area.", "Less than you might think.", "Very little."],
    "help": ["Hard to say.", "Difficult question.", "I am honestly not sure."],
    "discovered": ["It was more or less a coincidence.", "Not in any of the usual ways."],
    "reaction": ["It was a calm meeting.", "Nothing dramatic."],
}
NON_ANSWERS = {
    "police": ["n/a", "N/A", "-", ".", "don't know", "Dont know", "no comment", "nothing",
               "Nothing", "?", "No idea", "not sure", "--"],
    "police_repeat": ["same as last year", "Same as last year."],
    "help": ["see above", "See above", "as above", "Nothing to add."],
    "employer": ["n/a", "N/A", "-", "don't know", "Dont know", "Not known", "no comment",
                 "Prefer not to say", "?"],
    "sv": ["vet ej", "Ingen kommentar"],
    "de": ["keine Angabe", "weiß nicht"],
}
PII_SENTENCES = {
    "police": ["Happy to discuss further: {email}.", "You can reach me on {phone}.",
               "Our unit's guidance on this is at {url}", "{name} in our unit knows more "
               "about this.", "Please contact {name} ({email}) if you have questions.",
               "Call {phone} and ask for {name}."],
    "employer": ["Contact our HR manager {name} for details.",
                 "Questions can be sent to {email}.",
                 "Our HR department can be reached on {phone}.",
                 "{name} handled the case on our side.", "Our policy is published at {url}"],
}
SLOTS = {
    "offenders": ["offenders", "offenders", "suspects", "perpetrators"],
    "now": ["now", "now", "these days", "nowadays"],
    "email": ["a.lindqvist@example.org", "cyber.unit@example.com", "j.devries@example.org",
              "m.keller@example.com", "hr.support@example.com", "s.mitchell@example.org"],
    "phone": ["+46 8 555 012 34", "+46 70 555 01 87", "+44 20 7946 0321",
              "+44 161 496 0754", "+49 30 5550 1234", "+49 89 5550 7788"],
    "url": ["https://www.example.org/unit/guidance", "www.example.com/reports/2018",
            "http://example.org/cyber"],
    "name": ["Anna Lindqvist", "Erik Sjöberg", "Thomas Becker", "Sarah Mitchell",
             "Jan de Vries", "Ingrid Haugen", "Lukas Müller", "Åsa Nordström", "René Dubois"],
}
PRONOUNS = {
    "m": {"He": "He", "he": "he", "his": "his", "His": "His", "him": "him",
          "himself": "himself", "Han": "Han", "Er": "Er"},
    "f": {"He": "She", "he": "she", "his": "her", "His": "Her", "him": "her",
          "himself": "herself", "Han": "Hon", "Er": "Sie"},
}
# Whole words a hurried respondent gets wrong: correct form -> misspellings.
TYPOS = {
    "encryption": ["encyption", "encrytion", "encription"],
    "encrypted": ["encrpyted", "encripted", "encryted"],
    "cryptocurrency": ["cryptocurrancy", "cryptocurreny", "crypto currancy"],
    "cryptocurrencies": ["cryptocurencies", "cryptocurrencys"],
    "bitcoin": ["bitcoins", "bitcion", "bit coin"],
    "dark web": ["darkweb", "darkwebb"],
    "darknet": ["dark-net", "darknett"],
    "streaming": ["streamning", "steaming"],
    "resources": ["recources", "resourses", "ressources"],
    "training": ["traning", "trainig"],
    "legislation": ["legistlation", "legeslation"],
    "forensic": ["forensik", "forenisc"],
    "international": ["internatonal", "interntional"],
    "cooperation": ["cooporation", "coperation"],
    "colleague": ["collegue", "colleage"],
    "denied": ["denyed", "dennied"],
    "admitted": ["admited"],
    "resigned": ["resinged", "resignd"],
    "maintenance": ["maintainance", "maintenence"],
    "monitoring": ["monitering"],
    "software": ["sofware", "softwear"],
    "platforms": ["platfroms", "plattforms"],
    "social media": ["socal media", "social meida"],
    "anonymous": ["anonymus", "anonimous"],
    "terabytes": ["terrabytes"],
    "investigators": ["investigaters"],
    "immediately": ["immediatly"],
}
# Answers circulated within a unit and pasted verbatim by several respondents.
CIRCULATED = {
    "tech_unit_statement": (
        ("encryption", "volume", "cloud_storage"),
        "Speaking on behalf of our unit (we discussed this question together):\n\n"
        "The most significant development is encryption. Nearly all modern phones are "
        "encrypted by default, and suspects increasingly use messaging apps with end-to-end "
        "encryption. Where we used to be able to read conversations after a seizure, we now "
        "often have nothing but the metadata.\n\n"
        "Secondly, the amount of data. A typical house search now produces eight to ten "
        "devices and several terabytes of storage. Reviewing this takes months, and the "
        "backlog grows every year.\n\n"
        "Thirdly, more and more of what used to be on the hard drive now sits in cloud "
        "accounts. If we do not secure the account credentials at the time of the search, "
        "the content is often out of reach.\n\n"
        "Taken together, these changes mean that the traditional model of seizing a computer "
        "and examining it afterwards no longer works on its own.",
    ),
    "tech_organised_networks": (
        ("darknet", "cryptocurrency", "anonymisation"),
        "The organised part of this crime has moved further into the darknet. Forums on Tor "
        "hidden services are run like small organisations, with rules, moderators and "
        "requirements for new members, and they are resilient: when one is taken down, "
        "another appears within weeks. Guides on how "
        "to avoid detection are shared and updated within these communities.\n\n"
        "Payments, where they occur, are increasingly made in cryptocurrency. Bitcoin is "
        "still the most common, but the more careful users have moved to Monero.\n\n"
        "Finally, almost everyone with some technical knowledge hides their IP address "
        "behind a VPN, which means that the traditional route of identifying a suspect "
        "through the subscriber behind an IP address is often closed to us.\n\n"
        "None of this is new on its own, but the combination has made identification much "
        "slower than it was five years ago.",
    ),
    "tech_victim_id": (
        ("social_media", "self_produced", "live_streaming"),
        "From a victim identification perspective, the biggest change is where first "
        "contact happens. Offenders approach children on social media and in the chat "
        "functions of online games, often pretending to be peers, and then move the "
        "conversation to private chats within days.\n\n"
        "A growing proportion of the new material we see is self-generated: images and "
        "videos that young people have taken of themselves with their own phones, often "
        "after being persuaded or pressured in such conversations.\n\n"
        "We also see more live streaming, where nothing is stored on the offender\u2019s device "
        "and the evidence is limited to chat logs and payment records.\n\n"
        "This shifts the focus of our work from seized collections towards online "
        "behaviour, and our methods have not caught up. The children concerned also seem "
        "to be getting younger, which makes every case more urgent.",
    ),
    "help_three_points": (
        ("more_resources", "forensic_tools", "international_cooperation"),
        "Our unit's joint answer:\n\n"
        "1. Staff. We have four investigators for a region of more than a million people, "
        "and the number of reports we receive has tripled in five years. Two of our most "
        "experienced colleagues left last year and have not been replaced. No tool replaces "
        "experienced people.\n\n"
        "2. Better forensic tools, in particular automated classification of images and "
        "video, so that known material is filtered out by hash values and investigators "
        "can focus on new material and on identifying children.\n\n"
        "3. Faster international cooperation. Almost every case involves a service or a "
        "suspect in another country, and a mutual legal assistance request can take six "
        "months or more. Direct channels through Europol work well but are not available "
        "for everything.\n\n"
        "With these three in place, we could handle our current caseload properly instead "
        "of only the most urgent cases.",
    ),
    "help_data_access": (
        ("industry_cooperation", "legislation"),
        "What would help most is a realistic framework for getting data from the companies "
        "that hold it. Today, by the time a request has gone through the formal process, "
        "the provider has often deleted the logs we needed. Platforms should be required to "
        "preserve data quickly when we ask, and to answer within days rather than months.\n\n"
        "This requires legislation as well as goodwill. The laws we work under were written "
        "for telephone records, not for apps with billions of users, and they should be "
        "updated so that the rules are the same whether the provider is large or small.\n\n"
        "We have lost several cases in the last year simply because the data no longer "
        "existed when our request arrived. That is not a question of effort on our side; it "
        "is a question of rules and of how quickly the companies act.\n\n"
        "In the meantime, a named contact person at each of the major companies would "
        "already make a difference.",
    ),
}
# Which circulated answer is pasted by how many respondents of a wave.
CIRCULATION = {
    "police_2017": {"tech": [("tech_victim_id", 3)], "help": [("help_three_points", 3)]},
    "police_2018": {"tech": [("tech_organised_networks", 4)], "help": [("help_data_access", 3)]},
    "police_2019": {"tech": [("tech_unit_statement", 4)], "help": [("help_three_points", 2)]},
}
PROPER_NOUNS = {"I", "Tor", "TOR", "Bitcoin", "Monero", "Europol", "Interpol", "VPN", "VPNs",
                "VeraCrypt", "Instagram", "Snapchat", "Discord", "ISPs", "MLA", "AI", "HR",
                "IT", "E2EE", "Tails"}
REACTION_SEQUENCE = ["silence", "denial", "anger", "confession", "emotional_reaction",
                     "self_harm_concern", "resignation"]

# ---------------------------------------------------------------------------------------
# The codebook (written to codebook.yml; its order is the order of hand_coded.csv)
# ---------------------------------------------------------------------------------------


def theme(
    theme_id: str, question: str, label: str, description: str, include: list[str],
    examples: list[str], exclude: list[str] | None = None, parent: str | None = None,
) -> dict[str, object]:
    """One codebook entry, with its keys in the order a reader expects."""
    entry: dict[str, object] = {"id": theme_id, "label": label, "description": description,
                                "question": question, "include": include}
    if exclude:
        entry["exclude"] = exclude
    entry["examples"] = examples
    if parent:
        entry["parent"] = parent
    return entry


CODEBOOK_THEMES = [
    theme("encryption", "tech", "Encryption",
          "Encrypted apps, devices, containers or disks that block access to content.",
          ["encrypt*", "decrypt*", "end-to-end", "veracrypt", "passcode", r"re:\be2ee?\b",
           "krypter*", "verschlüssel*"],
          ["Encrypted phones we cannot open.", "End-to-end encrypted messaging apps.",
           "Encryption everywhere."]),
    theme("cryptocurrency", "tech", "Cryptocurrency",
          "Payments or funds in bitcoin, Monero or other cryptocurrencies.",
          ["bitcoin*", "monero", "crypto", "cryptocurrenc*", "wallet*", r"re:\b(btc|xmr)\b",
           "kryptovaluta", "kryptowährung*"],
          ["Payments in bitcoin.", "More use of Monero.", "Crypto payments."],
          exclude=["cryptograph*"]),
    theme("darknet", "tech", "Darknet and Tor",
          "Forums and hidden services on Tor or the dark web.",
          ["darknet", "dark web", "tor", "onion", "hidden service*",
           r"re:\bdark ?(net|web)\b"],
          ["Tor hidden services.", "Darknet forums.", "Onion sites."]),
    theme("anonymisation", "tech", "Anonymisation tools",
          "VPNs, proxies and other tools used to hide identity or IP address.",
          ["vpn*", "proxy", "proxies", "anonymi*", "anonymous", "tails",
           r"re:\bip[- ]?address(es)?\b"],
          ["VPNs everywhere.", "They hide their IP address behind proxies."],
          exclude=["anonymous tip*"]),
    theme("cloud_storage", "tech", "Cloud storage",
          "Material kept in cloud accounts or file hosting services rather than on devices.",
          ["cloud", "cloud storage", "file host*", "file-sharing", "online storage",
           "molntjänst*"],
          ["Everything is in the cloud.", "File hosting links that expire."]),
    theme("live_streaming", "tech", "Live streaming",
          "Material streamed in real time rather than stored.",
          ["live stream*", "livestream*", "live-stream*", "stream*", "broadcast*",
           "real time"],
          ["More live streaming.", "Paid live streams."],
          exclude=["streamline*"]),
    theme("self_produced", "tech", "Self-produced material",
          "Images or video produced by young people themselves with phones or webcams.",
          ["self-produced", "self-generated", "self produced", "self generated",
           r"re:\bself[- ]?(produc|generat)\w*", "young people themselves",
           "children themselves", "child themselves", "självproducera*"],
          ["Self-generated content from phones.", "More self-produced material."]),
    theme("volume", "tech", "Growing volumes",
          "More data, more devices and larger collections per case.",
          ["volume*", "terabyte*", "amount of data", r"re:\b\d+\s?tb\b", "more device*",
           "number of device*", "datamängd*", "datenmenge*"],
          ["Terabytes instead of gigabytes.", "More devices per suspect.", "Huge volumes."]),
    theme("social_media", "tech", "Social media and gaming platforms",
          "Social media, gaming platforms and chat apps used to make contact with children.",
          ["social media", "social network*", "gaming platform*", "online game*",
           "chat app*", "instagram", "snapchat", "discord", "sociala medier",
           "soziale netzwerke"],
          ["Contact through social media.", "Gaming platforms and chats."]),
    theme("more_resources", "help", "More resources",
          "More staff, time or budget.",
          ["resource*", "staff*", "budget*", "funding", "money", "personnel", "time",
           "understaffed",
           r"re:\b(more|extra) (staff|officers?|people|investigators?)\b", "personal",
           "utredare", "ermittler"],
          ["More staff.", "Time and money.", "More investigators."],
          exclude=["human resources"]),
    theme("training", "help", "Training",
          "Training, courses and skills for investigators and partners.",
          ["training", "train", "course*", "education", "skill*", "workshop*",
           "utbildning", "fortbildung*", "schulung*"],
          ["More training.", "Courses on new apps."],
          exclude=["train* data"]),
    theme("forensic_tools", "help", "Forensic tools",
          "Better software: automated image classification, hashing, extraction tools.",
          ["tool*", "software", "forensic*", "classif*", "hash*", "automat*", "ai",
           "machine learning", "verktyg", "bilderkennung"],
          ["Better tools.", "Automated image classification.", "Hash databases."],
          exclude=["hashtag*"]),
    theme("cooperation", "help", "Cooperation",
          "Working together with others. Parent of international and industry cooperation; "
          "on its own it means cooperation within the country (agencies, social services, "
          "schools, prosecutors).",
          ["cooperat*", "co-operat*", "collaborat*", r"re:\bwork\w* (more )?closely\b",
           r"re:\bjoint work(ing)? group\b", "samarbete", "zusammenarbeit"],
          ["Better cooperation between agencies.", "Closer cooperation with social services."]),
    theme("international_cooperation", "help", "International cooperation",
          "Europol, Interpol, mutual legal assistance and other cross-border cooperation.",
          ["europol", "interpol", "international*", "mutual legal assistance", "abroad",
           "cross-border", "letter* rogatory", "joint investigation team*",
           r"re:\bmlat?s?\b", "rechtshilfe", "other countr*"],
          ["Faster mutual legal assistance.", "Europol.", "Quicker answers from abroad."],
          exclude=["foreign language"], parent="cooperation"),
    theme("industry_cooperation", "help", "Industry cooperation",
          "Platforms, ISPs and other companies responding faster, reporting, retaining data.",
          ["platform*", "provider*", "isp*", "industry", "tech compan*", "data retention",
           "service provider*", "plattform*"],
          ["Faster answers from platforms.", "Data retention by ISPs."],
          exclude=["gaming platform*"], parent="cooperation"),
    theme("legislation", "help", "Legislation",
          "New or updated laws, legal basis for investigative methods, sentencing.",
          ["law", "laws", "legislat*", "legal basis", "legal change*", "legal framework",
           "sentence*", "lagstiftning", "gesetz*"],
          ["Better laws.", "Legislation that keeps up with technology."],
          exclude=["law enforcement", "mutual legal assistance"]),
    theme("it_security", "discovered", "IT security systems",
          "Found by filtering or monitoring software, security alerts or detection tools.",
          ["filter*", "monitor*", "alert*", "alarm*", "firewall", "security software",
           "antivirus", "data loss prevention", "detection tool*", "hash list",
           "webbfilter", "webfilter"],
          ["Our web filter flagged it.", "Security alert from monitoring software."],
          exclude=["security guard*"]),
    theme("colleague_report", "discovered", "Reported by a colleague",
          "A colleague or other employee saw something and reported it.",
          ["colleague*", "co-worker*", "coworker*", "whistleblow*", "team member",
           "kollega", "kollege"],
          ["A colleague reported it.", "Through our whistleblowing channel."]),
    theme("it_maintenance", "discovered", "Found during IT maintenance",
          "Found during repair, upgrade, reinstallation or other maintenance of a device.",
          ["repair*", "maintenance", "upgrade*", "reinstall*", "migrat*", "technician*",
           "helpdesk", "wipe*", "reparation", "reparatur"],
          ["Found during repair of the laptop.", "During routine maintenance."]),
    theme("police_contact", "discovered", "Police contacted the employer",
          "The police contacted the employer first. Reporting to the police after the "
          "discovery is not this theme.",
          ["police", "officer*", "search warrant", "polisen", "polizei"],
          ["The police contacted us.", "Police arrived with a search warrant."],
          exclude=["report it to the police", "hand over to the police"]),
    theme("denial", "reaction", "Denial",
          "Denied, blamed others, a virus or hacking.",
          ["deny", "denial", "claim*", "virus", "no idea", "hack*", "misunderstanding",
           "förnekade", "abgestritten"],
          ["He denied everything.", "She said it must have been a virus."]),
    theme("confession", "reaction", "Confession",
          "Admitted or confessed.",
          ["admit*", "confess*", "acknowledg*", "own up", "erkände",
           "zugegeben"],
          ["He admitted it straight away.", "Full confession."]),
    theme("resignation", "reaction", "Resignation",
          "The employee resigned or left on their own initiative (not a dismissal).",
          ["resign*", "notice", "quit", "own initiative", "sa upp sig", "gekündigt"],
          ["He resigned the same day.", "She handed in her notice."],
          exclude=["dismiss*"]),
    theme("emotional_reaction", "reaction", "Emotional reaction",
          "Visibly emotional: upset, crying, shaken. Parent of anger and self-harm concern.",
          ["emotional*", "upset", "cry", "tear*", "shaken", "shake", "ledsen",
           "aufgewühlt"],
          ["He was very upset.", "She broke down in tears."]),
    theme("anger", "reaction", "Anger",
          "Angry, aggressive or threatening.",
          ["anger", "angry", "furious", "shout*", "aggressive*", "hostile", "temper",
           "threaten*", "arg", "wütend"],
          ["He became angry.", "Aggressive, threatened to sue."],
          parent="emotional_reaction"),
    theme("self_harm_concern", "reaction", "Self-harm concern",
          "The employee talked about harming themselves or was in such distress that the "
          "employer feared for their safety.",
          ["self-harm", "harm himself", "harm herself", "suicid*", "own life",
           "not want to live", r"re:\bharm(ing)? (him|her)self\b", "skada sig själv"],
          ["He talked about harming himself; we called for support.",
           "She mentioned suicide and we contacted healthcare."],
          parent="emotional_reaction"),
    theme("silence", "reaction", "Silence",
          "Did not comment, refused to answer or asked for a lawyer first.",
          ["silent", "silence", "comment", "lawyer", "union representative",
           "refuse* to answer", "say nothing", "advokat", "anwalt"],
          ["He did not comment.", "She asked for a lawyer."]),
]
THEME_IDS = [str(entry["id"]) for entry in CODEBOOK_THEMES]
THEME_QUESTION = {str(entry["id"]): str(entry["question"]) for entry in CODEBOOK_THEMES}
PARENT = {str(e["id"]): str(e["parent"]) for e in CODEBOOK_THEMES if "parent" in e}

# ---------------------------------------------------------------------------------------
# Data model of the generation record
# ---------------------------------------------------------------------------------------


@dataclass
class Answer:
    """One answer as written, with the codes a careful coder gives it and its noise tags."""

    text: str
    codes: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    @property
    def substantive(self) -> bool:
        return not ({"empty", "non_answer"} & self.tags)


@dataclass
class Plan:
    """What an answer will be, before it is written."""

    kind: str = "normal"  # normal, empty, non_answer, negation_only, circulated, repeat_of_tech
    codes: set[str] = field(default_factory=set)
    template: str | None = None


@dataclass
class Respondent:
    rid: str
    attrs: dict[str, str | None]
    pronouns: dict[str, str]
    language: str = "en"
    answers: dict[str, Answer] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)


@dataclass
class Wave:
    name: str  # police_2017, ..., employer_2018
    survey: str
    year: int
    columns: dict[str, str]  # question -> text column in the file
    respondents: list[Respondent]


# ---------------------------------------------------------------------------------------
# Small text helpers
# ---------------------------------------------------------------------------------------


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def fill(template: str, rng: random.Random, pronouns: dict[str, str]) -> str:
    """Choose among [a|b] alternatives and replace {slot}s (pronouns fixed per respondent)."""
    template = re.sub(r"\[([^\[\]]*)\]", lambda m: rng.choice(m.group(1).split("|")), template)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in pronouns:
            return pronouns[name]
        chosen = rng.choice(SLOTS[name.lower()])
        return chosen[0].upper() + chosen[1:] if name[0].isupper() else chosen

    return re.sub(r"\{(\w+)\}", value, template)


def lower_first(sentence: str) -> str:
    first_word = re.split(r"[\s,:;.]", sentence, maxsplit=1)[0]
    acronym = len(first_word) > 1 and first_word[:2].isupper()  # AI-based, ISPs, TOR
    if first_word in PROPER_NOUNS or acronym or not sentence[:1].isupper():
        return sentence
    return sentence[0].lower() + sentence[1:]


def ordered(codes: Iterable[str], rng: random.Random, question: str) -> list[str]:
    """Themes in the order they are written: a narrative order for reactions, else random."""
    themes = sorted(codes, key=THEME_IDS.index)
    if question == "reaction":
        return sorted(themes, key=REACTION_SEQUENCE.index)
    rng.shuffle(themes)
    return themes


def join_sentences(rng: random.Random, sentences: list[tuple[str, bool]], question: str) -> str:
    """Join (sentence, may_take_connector) pairs the way people write: mostly one paragraph."""
    parts = []
    connectors = rng.sample(CONNECTORS[question], len(CONNECTORS[question]))
    for position, (sentence, connectable) in enumerate(sentences):
        starts_with_pronoun = sentence.split(" ", 1)[0] in {"He", "She"}
        may_connect = connectable and (question != "reaction" or starts_with_pronoun)
        if position and may_connect and connectors and rng.random() < 0.35:
            sentence = connectors.pop() + lower_first(sentence)
        elif position == 0 and question == "reaction" and len(sentences) > 1 \
                and may_connect and rng.random() < 0.3:
            sentence = "At first " + lower_first(sentence)
        parts.append(sentence)
    separator = rng.choices([" ", "\n", "\n\n"], weights=[88, 8, 4])[0]
    return separator.join(parts)


# ---------------------------------------------------------------------------------------
# Planning: kinds of answers, circulated answers and exact theme quotas
# ---------------------------------------------------------------------------------------

KIND_RATES = {"empty": 0.015, "non_answer": 0.02, "negation_only": 0.012}
REPEAT_OF_TECH_RATE = 0.012
MAX_REDRAWS = 100
SIMILAR_MIN_WORDS = 8  # the duplicate detector's default min_words
SIMILAR_JACCARD = 0.7  # well below its default threshold (0.9)
DISENGAGED_RATE = 0.03


def draw_kind(rng: random.Random, question: str, disengaged: bool) -> str:
    if disengaged:
        return "non_answer" if rng.random() < 0.6 else "empty"
    draw = rng.random()
    for kind, rate in KIND_RATES.items():
        if draw < rate:
            return kind
        draw -= rate
    if question == "help" and draw < REPEAT_OF_TECH_RATE:
        return "repeat_of_tech"
    return "normal"


def plan_kinds(rng: random.Random, questions: Sequence[str], n: int) -> dict[str, list[Plan]]:
    plans: dict[str, list[Plan]] = {question: [] for question in questions}
    for _ in range(n):
        disengaged = rng.random() < DISENGAGED_RATE
        for question in questions:
            plans[question].append(Plan(kind=draw_kind(rng, question, disengaged)))
    if "help" in plans:  # a help answer can only repeat a tech answer that exists
        for tech, help_ in zip(plans["tech"], plans["help"], strict=True):
            if help_.kind == "repeat_of_tech" and tech.kind != "normal":
                help_.kind = "normal"
    return plans


def place_circulated(
    rng: random.Random, plans: dict[str, list[Plan]], respondents: list[Respondent], wave: str
) -> None:
    """Give a few respondents of one unit the same pasted answer (and the same unit)."""
    for question, circulated in CIRCULATION.get(wave, {}).items():
        for template, copies in circulated:
            free = [i for i, plan in enumerate(plans[question]) if plan.kind == "normal"]
            chosen = sorted(rng.sample(free, copies))
            for index in chosen:
                plans[question][index] = Plan("circulated", set(CIRCULATED[template][0]),
                                              template)
                for attribute in ("country", "unit_size"):
                    respondents[index].attrs[attribute] = respondents[chosen[0]].attrs[attribute]


def allocate_codes(rng: random.Random, plans: list[Plan], design: Design) -> None:
    """Give each theme its exact quota of substantive answers, then fill answers left bare."""
    substantive = [plan for plan in plans if plan.kind not in ("empty", "non_answer")]
    pool = [plan for plan in plans if plan.kind == "normal"]
    quotas = sorted(design.planted.items(), key=lambda kv: -kv[1])
    quotas += sorted(design.background.items(), key=lambda kv: -kv[1])
    for theme_id, share in quotas:
        wanted = round(share * len(substantive)) - sum(theme_id in p.codes for p in substantive)
        ranked = sorted(pool, key=lambda p: (bool(p.codes) and rng.random() < design.spread,
                                             rng.random()))
        for plan in ranked[:max(wanted, 0)]:
            plan.codes.add(theme_id)
    for plan in pool:
        if not plan.codes:
            plan.codes.add(weighted(rng, design.background))
        extra = [t for t in sorted(plan.codes, key=THEME_IDS.index) if t in design.background]
        while len(plan.codes) > 3 and extra:
            plan.codes.discard(extra.pop())


# ---------------------------------------------------------------------------------------
# Writing answers
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """Rates of the ways a respondent of one survey writes."""

    short: float
    bullet_list: float
    long: float
    sarcasm: float
    negation: float
    typo: float
    pii: float
    lowercase: float
    whitespace: float


POLICE_STYLE = Style(short=0.10, bullet_list=0.07, long=0.03, sarcasm=0.03, negation=0.05,
                     typo=0.05, pii=0.02, lowercase=0.05, whitespace=0.02)
EMPLOYER_STYLE = Style(short=0.09, bullet_list=0.0, long=0.025, sarcasm=0.04, negation=0.06,
                       typo=0.05, pii=0.025, lowercase=0.04, whitespace=0.02)


IMMEDIATE = re.compile(r"straight away|immediately")


def sentence_for(rng: random.Random, theme_id: str, sarcastic: bool, late: bool,
                 pronouns: dict[str, str]) -> str:
    """A sentence for a theme; a confession that follows a denial cannot be immediate."""
    bank = SARCASTIC[theme_id] if sarcastic else PHRASES[theme_id]
    if late:
        bank = [s for s in bank if not IMMEDIATE.search(s)]
    return fill(rng.choice(bank), rng, pronouns)


def negated_sentence(rng: random.Random, question: str, codes: Iterable[str],
                     pronouns: dict[str, str]) -> str:
    coded = set(codes)
    blocked = coded | {PARENT[c] for c in coded if c in PARENT}
    candidates = [t for t in THEME_IDS
                  if THEME_QUESTION[t] == question and t in NEGATED and t not in blocked]
    return fill(rng.choice(NEGATED[rng.choice(candidates)]), rng, pronouns)


def with_tail(rng: random.Random, sentence: str, tails: list[str]) -> str:
    """Sometimes add a clause (taken from ``tails``) before the full stop of a plain sentence."""
    simple = sentence.endswith(".") and not re.search(r"[.;:?,\"]| - ", sentence[:-1])
    if simple and tails and 4 <= len(sentence.split()) <= 14 and rng.random() < 0.3:
        return sentence[:-1] + tails.pop() + "."
    return sentence


def closer(rng: random.Random, question: str, codes: set[str],
           pronouns: dict[str, str]) -> str:
    """A closing sentence; "we reported it to the police" cannot follow a police contact."""
    options = [c for c in CLOSERS[question]
               if "police_contact" not in codes or "police" not in c]
    return fill(rng.choice(options), rng, pronouns)


def write_prose(rng: random.Random, coin: random.Random, codes: set[str], question: str,
                style: Style, pronouns: dict[str, str]) -> tuple[str, set[str]]:
    tags: set[str] = set()
    themes = ordered(codes, rng, question)
    sarcastic = [t for t in themes if t in SARCASTIC]
    ironic = rng.choice(sarcastic) if coin.random() < style.sarcasm and sarcastic else None
    if ironic:
        tags.add("sarcasm")
        if question != "reaction":  # "Oh, nothing much. Just ..." only works as an opening
            themes.remove(ironic)
            themes.insert(0, ironic)
    sentences = []
    tails = rng.sample(TAILS[question], len(TAILS[question]))
    for position, theme_id in enumerate(themes):
        sentence = sentence_for(rng, theme_id, theme_id == ironic, position > 0, pronouns)
        # in a reaction only the first event can carry "in the meeting"
        plain = theme_id != ironic and theme_id not in NO_TAIL
        if plain and (question != "reaction" or position == 0):
            sentence = with_tail(rng, sentence, tails)
        sentences.append((sentence, theme_id != ironic))
    if coin.random() < style.negation:
        tags.add("negation")
        negated = negated_sentence(rng, question, codes, pronouns)
        if question == "reaction" or rng.random() < 0.5:  # "did not resign" comes last
            sentences.append((negated, False))
        else:
            first, connectable = sentences[0]
            if connectable and BRIDGES[question] and rng.random() < 0.6:
                sentences[0] = (rng.choice(BRIDGES[question]) + lower_first(first), False)
            sentences.insert(0, (negated, False))
    text = join_sentences(rng, sentences, question)
    draw = rng.random()
    if sentences[0][1] and draw < 0.15:
        several = OPENERS_FOR_SEVERAL[question] if len(codes) > 1 else []
        opener = fill(rng.choice(OPENERS[question] + several), rng, pronouns)
        text = opener + " " + (lower_first(text) if opener.endswith(":") else text)
    elif sentences[0][1] and LEAD_INS[question] and draw < 0.3:
        text = rng.choice(LEAD_INS[question]) + lower_first(text)
    if rng.random() < 0.12:
        text = text + " " + closer(rng, question, codes, pronouns)
    return text, tags


def write_bullets(rng: random.Random, codes: set[str]) -> str:
    items = [rng.choice(SHORT[t]) for t in ordered(codes, rng, "tech")]
    if rng.random() < 0.5:
        return "\n".join(f"- {item}" for item in items)
    items = [lower_first(item).rstrip(".") for item in items]
    return ", ".join(items[:-1]) + " and " + items[-1]


def write_long(rng: random.Random, codes: set[str], question: str,
               pronouns: dict[str, str]) -> str:
    """Several paragraphs: per theme a claim, its details and a reflection, grown to a length."""
    target = rng.randrange(800, 2000)
    reflections = rng.sample(ELABORATIONS[question], len(ELABORATIONS[question]))
    themes = ordered(codes, rng, question)
    claims = {t: rng.sample(PHRASES[t], 2) for t in themes}
    paragraphs = []
    for theme_id in themes:
        details = rng.sample(DETAILS[theme_id], min(3, len(DETAILS[theme_id])))
        sentences = [claims[theme_id][0], *details, reflections.pop()]
        paragraphs.append([fill(s, rng, pronouns) for s in sentences])

    def short_of_target() -> bool:
        return len(" ".join(s for p in paragraphs for s in p)) < target

    for index in rng.sample(range(len(themes)), len(themes)):
        if short_of_target():
            paragraphs[index].append(reflections.pop())
    for index in rng.sample(range(len(themes)), len(themes)):
        if short_of_target():
            paragraphs[index].insert(1, fill(claims[themes[index]][1], rng, pronouns))
    opener = fill(rng.choice(OPENERS[question] + OPENERS_FOR_SEVERAL[question]), rng, pronouns)
    first = paragraphs[0][0]
    paragraphs[0][0] = opener + " " + (lower_first(first) if opener.endswith(":") else first)
    ending = closer(rng, question, codes, pronouns)
    return "\n\n".join([*(" ".join(p) for p in paragraphs), ending])


def add_typo(rng: random.Random, text: str) -> str | None:
    found = [w for w in TYPOS if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]
    if not found:
        return None
    word = rng.choice(found)
    wrong = rng.choice(TYPOS[word])

    def keep_case(match: re.Match[str]) -> str:
        return wrong[0].upper() + wrong[1:] if match.group(0)[0].isupper() else wrong

    return re.sub(rf"\b{re.escape(word)}\b", keep_case, text, count=1, flags=re.IGNORECASE)


def write_answer(rng: random.Random, plan: Plan, question: str, survey: str, year: int,
                 respondent: Respondent, seen: Seen) -> Answer:
    """Turn a plan into an answer, keeping its codes and recording its noise tags."""
    pronouns = respondent.pronouns
    if plan.kind == "empty":
        return Answer("", tags=frozenset({"empty"}))
    if plan.kind == "non_answer":
        return Answer(non_answer(rng, question, survey, year, respondent),
                      tags=frozenset({"non_answer"}))
    if plan.kind == "circulated":
        assert plan.template is not None
        pasted = Answer(CIRCULATED[plan.template][1], frozenset(plan.codes),
                        frozenset({"circulated", "long"}))
        seen.add(normalised(pasted.text), respondent.rid)  # copies of it are deliberate
        return pasted
    if plan.kind == "negation_only":
        return unique(lambda: write_negation_only(rng, question, pronouns), seen,
                      respondent.rid)
    if respondent.language != "en":
        language = respondent.language

        def foreign() -> Answer:
            lines = [fill(rng.choice(FOREIGN[language][t]), rng, pronouns)
                     for t in ordered(plan.codes, rng, question)]
            return Answer(" ".join(lines), frozenset(plan.codes),
                          frozenset({"foreign", f"lang:{language}"}))

        return unique(foreign, seen, respondent.rid)
    coins = rng.getrandbits(64)  # the style of the answer stays the same across redraws,
    attempts = iter(range(MAX_REDRAWS))  # unless its words alone cannot be varied enough

    def english() -> Answer:
        coin = random.Random(coins) if next(attempts) < MAX_REDRAWS // 2 else rng
        return write_english(rng, coin, plan.codes, question, survey, pronouns)

    return unique(english, seen, respondent.rid)


def normalised(text: str) -> list[str]:
    """The words of an answer as the duplicate detector compares them: lower case, no
    punctuation."""
    return re.findall(r"\w+", text.lower())


def shingled(words: Sequence[str]) -> set[str]:
    return {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}


@dataclass
class Seen:
    """The answers written so far (all waves), to keep new answers apart from them.

    ``exact`` holds every answer's normalised text; answers of ``SIMILAR_MIN_WORDS`` words
    or more are also kept as word 3-shingles (with an index from shingle to answer), so an
    answer that merely adds or drops a lead-in ("Mainly: ...") is recognised as a repeat.
    """

    exact: set[str] = field(default_factory=set)
    owners: list[str] = field(default_factory=list)
    shingles: list[set[str]] = field(default_factory=list)
    index: dict[str, list[int]] = field(default_factory=dict)
    failures: int = 0

    def similarity(self, words: list[str], owner: str) -> float:
        """The highest Jaccard of the answer's shingles with an earlier answer of another
        respondent (0 for answers too short to compare)."""
        if len(words) < SIMILAR_MIN_WORDS:
            return 0.0
        mine = shingled(words)
        shared = Counter(other for shingle in mine for other in self.index.get(shingle, ()))
        best = 0.0
        for other, common in shared.items():
            if self.owners[other] != owner:
                best = max(best, common / (len(mine) + len(self.shingles[other]) - common))
        return best

    def add(self, words: list[str], owner: str) -> None:
        self.exact.add(" ".join(words))
        if len(words) < SIMILAR_MIN_WORDS:
            return
        position = len(self.owners)
        self.owners.append(owner)
        self.shingles.append(shingled(words))
        for shingle in self.shingles[-1]:
            self.index.setdefault(shingle, []).append(position)


def unique(compose: Callable[[], Answer], seen: Seen, owner: str) -> Answer:
    """People rarely write the same sentence twice: redraw an answer already written.

    Two rules, both on the normalised text (lower case, no punctuation, lead-ins included):
    an answer of five words or more must not repeat an earlier answer, and an answer of
    ``SIMILAR_MIN_WORDS`` words or more must not share ``SIMILAR_JACCARD`` of its word
    3-shingles with an earlier answer of another respondent (the same sentence behind a
    different lead-in). Answers of fewer than five words ("More staff", "Encryption") may
    repeat, as they do. If no draw passes, the least similar one is kept (and counted).
    """
    best: tuple[float, Answer, list[str]] | None = None
    for _ in range(MAX_REDRAWS):
        answer = compose()
        words = normalised(answer.text)
        repeated = len(words) >= 5 and " ".join(words) in seen.exact
        score = 1.0 if repeated else seen.similarity(words, owner)
        if best is None or score < best[0]:
            best = (score, answer, words)
        if score < SIMILAR_JACCARD:
            break
    assert best is not None
    if best[0] >= SIMILAR_JACCARD:
        seen.failures += 1
    seen.add(best[2], owner)
    return best[1]


def write_negation_only(rng: random.Random, question: str, pronouns: dict[str, str]) -> Answer:
    """An answer that only says what is NOT the case: substantive, but without codes."""
    first = negated_sentence(rng, question, (), pronouns)
    parts = [rng.choice(NEGATION_ONLY_OPENERS[question]), first]
    if rng.random() < 0.4:
        second = negated_sentence(rng, question, (), pronouns)
        if second != first:
            parts.append(second)
    return Answer(" ".join(parts), frozenset(), frozenset({"negation", "negation_only"}))


def write_english(rng: random.Random, coin: random.Random, codes: set[str], question: str,
                  survey: str, pronouns: dict[str, str]) -> Answer:
    """An English answer; ``coin`` decides its style (form, sarcasm, negation, typo, personal
    data, case, whitespace) and ``rng`` its words, so a redraw changes only the words."""
    style = POLICE_STYLE if survey == "police" else EMPLOYER_STYLE
    tags: set[str] = set()
    shortable = len(codes) == 1 and next(iter(codes)) in SHORT
    draw = coin.random()
    if shortable and draw < style.short:
        text = rng.choice(SHORT[next(iter(codes))])
        tags.add("short")
    elif len(codes) > 1 and draw < style.bullet_list:
        text = write_bullets(rng, codes)
        tags.add("list")
    elif len(codes) > 1 and draw < style.bullet_list + style.long * 2:
        text = write_long(rng, codes, question, pronouns)
        tags.add("long")
    else:
        text, prose_tags = write_prose(rng, coin, codes, question, style, pronouns)
        tags |= prose_tags
    if coin.random() < style.typo and (misspelt := add_typo(rng, text)):
        text = misspelt
        tags.add("typo")
    if coin.random() < style.pii and "short" not in tags:
        text += " " + fill(rng.choice(PII_SENTENCES[survey]), rng, pronouns)
        tags.add("pii")
    if coin.random() < style.lowercase and "long" not in tags:
        text = text.lower()
    if coin.random() < 0.15 and text.endswith("."):
        text = text[:-1]
    if coin.random() < style.whitespace:
        text = rng.choice([" " + text, text + "  ", text.replace(" ", "  ", 1)])
    return Answer(text, frozenset(codes), frozenset(tags))


def non_answer(rng: random.Random, question: str, survey: str, year: int,
               respondent: Respondent) -> str:
    if respondent.attrs.get("country") == "Sweden" and rng.random() < 0.2:
        return rng.choice(NON_ANSWERS["sv"])
    if respondent.attrs.get("country") == "Germany" and rng.random() < 0.2:
        return rng.choice(NON_ANSWERS["de"])
    if survey == "employer":
        return rng.choice(NON_ANSWERS["employer"])
    options = list(NON_ANSWERS["police"])
    if year > 2017:
        options += NON_ANSWERS["police_repeat"]
    if question == "help":
        options += NON_ANSWERS["help"] * 2
    return rng.choice(options)


# ---------------------------------------------------------------------------------------
# Building the waves
# ---------------------------------------------------------------------------------------


def draw_attributes(rng: random.Random, spec: dict[str, dict[str, float]]) -> dict[str, str | None]:
    return {name: None if rng.random() < MISSING_ATTRIBUTE_RATE else weighted(rng, weights)
            for name, weights in spec.items()}


def response_ids(rng: random.Random, year: int, n: int, prefix: str) -> list[str]:
    if year != 2017:
        return [f"{prefix}{year % 100}-{i:04d}" for i in range(1, n + 1)]
    alphabet = string.ascii_letters + string.digits
    ids: list[str] = []
    while len(ids) < n:
        candidate = "R_" + "".join(rng.choices(alphabet, k=15))
        if candidate not in ids:
            ids.append(candidate)
    return ids


def choose_foreign(rng: random.Random, respondents: list[Respondent],
                   plans: dict[str, list[Plan]], per_language: dict[str, int],
                   home: dict[str, str] | None) -> None:
    """Let a few respondents answer in Swedish or German (from Sweden/Germany if known)."""
    taken: set[int] = set()
    for language, count in per_language.items():
        candidates = [
            i for i, r in enumerate(respondents)
            if i not in taken and all(p[i].kind == "normal" for p in plans.values())
            and (home is None or r.attrs.get("country") == home[language])
        ]
        for index in rng.sample(candidates, count):
            respondents[index].language = language
            taken.add(index)


POLICE_ATTRIBUTES = {"country": COUNTRIES, "role": ROLES, "unit_size": UNIT_SIZES}
EMPLOYER_ATTRIBUTES = {"sector": SECTORS, "org_size": ORG_SIZES}
WAVE_COLUMNS = {
    "police_2017": {"tech": "Q4", "help": "Q5"},
    "police_2018": {"tech": "TechChanges", "help": "MostHelpful"},
    "police_2019": {"tech": "q_tech", "help": "q_help"},
    "employer_2018": {"discovered": "discovered", "reaction": "reaction"},
}


def build_wave(survey: str, year: int, n: int, seen: Seen) -> Wave:
    """One wave of respondents; ``seen`` holds the answers written so far (all waves)."""
    rng = random.Random(f"{SEED}:{survey}:{year}")
    name = f"{survey}_{year}"
    questions = list(WAVE_COLUMNS[name])
    spec = POLICE_ATTRIBUTES if survey == "police" else EMPLOYER_ATTRIBUTES
    prefix = "P" if survey == "police" else "E"
    respondents = [
        Respondent(rid, draw_attributes(rng, spec),
                   PRONOUNS["m" if rng.random() < 0.8 else "f"])
        for rid in response_ids(rng, year, n, prefix)
    ]
    plans = plan_kinds(rng, questions, n)
    place_circulated(rng, plans, respondents, name)
    for question in questions:
        allocate_codes(rng, plans[question], design_for(question, year))
    if survey == "police":
        choose_foreign(rng, respondents, plans, {"sv": 4, "de": 3},
                       {"sv": "Sweden", "de": "Germany"})
    else:
        choose_foreign(rng, respondents, plans, {"sv": 3, "de": 3}, None)
    for index, respondent in enumerate(respondents):
        for question in questions:
            plan = plans[question][index]
            if plan.kind == "repeat_of_tech":
                tech = respondent.answers["tech"]
                answer = Answer(tech.text, frozenset(), frozenset({"repeat_of_tech"}))
            else:
                answer = write_answer(rng, plan, question, survey, year, respondent, seen)
            respondent.answers[question] = answer
    return Wave(name, survey, year, WAVE_COLUMNS[name], respondents)


# ---------------------------------------------------------------------------------------
# Export quirks: what survey tools and spreadsheets do to text on its way to a file
# ---------------------------------------------------------------------------------------


def typographic(text: str) -> str:
    """Word's autocorrect: curly quotes and en dashes."""
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
    return text.replace("'", "\u2019").replace(" - ", " \u2013 ")


def html_remnant(rng: random.Random, text: str) -> str:
    """What a web form leaves behind: <br> for line breaks, escaped entities, stray tags."""
    if "\n" in text:
        return text.replace("\n", "<br>")
    options = [lambda t: t + "<br>", lambda t: f"<p>{t}</p>"]
    if " and " in text:
        options.append(lambda t: t.replace(" and ", " &amp; ", 1))
    if "'" in text:
        options.append(lambda t: t.replace("'", "&#39;"))
    return rng.choice(options)(text)


def mojibake(text: str) -> str | None:
    """UTF-8 bytes read back as cp1252 (a curly apostrophe becomes three characters).

    Returns None when the text has nothing that would be garbled.
    """
    text = typographic(text)
    if text.isascii():
        return None
    try:
        return text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class Quirks:
    typographic: float
    html: float
    mojibake: float  # of the answers with characters that can be garbled


EXPORT_QUIRKS = {
    "police_2017": Quirks(typographic=0.25, html=0.012, mojibake=0.06),
    "police_2018": Quirks(typographic=0.10, html=0.0, mojibake=0.0),
    "police_2019": Quirks(typographic=0.10, html=0.0, mojibake=0.0),
    "employer_2018": Quirks(typographic=0.15, html=0.02, mojibake=0.08),
}


def apply_quirks(wave: Wave) -> None:
    rng = random.Random(f"{SEED}:quirks:{wave.name}")
    quirks = EXPORT_QUIRKS[wave.name]
    for respondent in wave.respondents:
        for question, answer in respondent.answers.items():
            if not answer.text or "circulated" in answer.tags:
                continue
            text, tags = answer.text, set(answer.tags)
            garbled = mojibake(text)
            draw = rng.random()
            if garbled and rng.random() < quirks.mojibake:
                text, tags = garbled, tags | {"mojibake"}
            elif draw < quirks.html:
                text, tags = html_remnant(rng, text), tags | {"html"}
            elif draw < quirks.html + quirks.typographic:
                text = typographic(text)
            respondent.answers[question] = Answer(text, answer.codes, frozenset(tags))


# ---------------------------------------------------------------------------------------
# File writers
# ---------------------------------------------------------------------------------------


def qualtrics_metadata(rng: random.Random, respondent: Respondent) -> list[str]:
    start = datetime(2017, 3, 6, 7, 0) + timedelta(seconds=rng.randrange(38 * 86400))
    duration = rng.randrange(150, 2400)
    missing = [not a.text for a in respondent.answers.values()]
    finished = not missing[-1] or rng.random() < 0.4
    progress = 100 if finished else (60 if missing[0] else 80)
    end = start + timedelta(seconds=duration)
    recorded = end if finished else end + timedelta(days=7)
    stamp = "%Y-%m-%d %H:%M:%S"
    return [start.strftime(stamp), end.strftime(stamp), "IP Address", str(progress),
            str(duration), str(finished), recorded.strftime(stamp), respondent.rid]


def write_qualtrics_csv(wave: Wave, path: Path) -> None:
    """A Qualtrics export: names, question texts, ImportIds, then data; cp1252."""
    rng = random.Random(f"{SEED}:qualtrics")
    zone = ',"timeZone":"Europe/Stockholm"'
    names = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)",
             "Finished", "RecordedDate", "ResponseId", "Q1", "Q2", "Q3", "Q4", "Q5"]
    texts = ["Start Date", "End Date", "Response Type", "Progress", "Duration (in seconds)",
             "Finished", "Recorded Date", "Response ID",
             "In which country or region do you work?", "What is your role?",
             "How many people work in your unit?", QUESTION_TEXT["tech"],
             QUESTION_TEXT["help"]]
    import_ids = [f'{{"ImportId":"startDate"{zone}}}', f'{{"ImportId":"endDate"{zone}}}',
                  '{"ImportId":"status"}', '{"ImportId":"progress"}',
                  '{"ImportId":"duration"}', '{"ImportId":"finished"}',
                  f'{{"ImportId":"recordedDate"{zone}}}', '{"ImportId":"_recordId"}',
                  '{"ImportId":"QID1"}', '{"ImportId":"QID2"}', '{"ImportId":"QID3"}',
                  '{"ImportId":"QID4_TEXT"}', '{"ImportId":"QID5_TEXT"}']
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([names, texts, import_ids])
        for r in wave.respondents:
            attributes = [r.attrs["country"], r.attrs["role"], r.attrs["unit_size"]]
            writer.writerow([*qualtrics_metadata(rng, r), *(a or "" for a in attributes),
                             r.answers["tech"].text, r.answers["help"].text])


def save_workbook(workbook: Workbook, path: Path, when: datetime) -> None:
    """Save with fixed document properties and zip timestamps, so the bytes are stable."""
    workbook.properties.created = when
    workbook.properties.modified = when
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))


def write_xlsx(wave: Wave, path: Path) -> None:
    rng = random.Random(f"{SEED}:xlsx")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Responses"
    header = ["RespondentID", "Submitted", "Country", "Role", "UnitSize", "TechChanges",
              "MostHelpful"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in wave.respondents:
        submitted = datetime(2018, 3, 12, 7, 0) + timedelta(minutes=rng.randrange(45 * 1440))
        sheet.append([r.rid, submitted, r.attrs["country"], r.attrs["role"],
                      r.attrs["unit_size"], r.answers["tech"].text or None,
                      r.answers["help"].text or None])
    for column, width in zip("ABCDEFG", [13, 18, 16, 22, 10, 70, 70], strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    about = workbook.create_sheet("About")
    for line in [
        "Police survey 2018: open answers about offenders' use of technology.",
        "One row per respondent. Answers are exported unedited from the survey tool.",
        "TechChanges: " + QUESTION_TEXT["tech"],
        "MostHelpful: " + QUESTION_TEXT["help"],
        "Synthetic sample data for openends (scripts/make_sample_corpus.py); "
        "not real responses.",
    ]:
        about.append([line])
    about.column_dimensions["A"].width = 90
    save_workbook(workbook, path, XLSX_TIMESTAMP)


def coded(values: Sequence[str | None], labels: dict[str, float]) -> list[float]:
    return [labels[v] if v is not None else float("nan") for v in values]


def write_sav(wave: Wave, path: Path) -> None:
    """SPSS: attributes as numeric codes with value labels, answers as wide strings."""
    codes = {name: {value: float(i) for i, value in enumerate(weights, start=1)}
             for name, weights in POLICE_ATTRIBUTES.items()}
    frame = pd.DataFrame({
        "resp_id": [r.rid for r in wave.respondents],
        **{name: coded([r.attrs[name] for r in wave.respondents], codes[name])
           for name in POLICE_ATTRIBUTES},
        "q_tech": [r.answers["tech"].text for r in wave.respondents],
        "q_help": [r.answers["help"].text for r in wave.respondents],
    })
    pyreadstat.write_sav(
        frame, str(path),
        file_label="Police survey 2019 (synthetic sample for openends)",
        column_labels={"resp_id": "Respondent ID", "country": "Country or region",
                       "role": "Role", "unit_size": "Number of staff in the unit",
                       "q_tech": QUESTION_TEXT["tech"], "q_help": QUESTION_TEXT["help"]},
        variable_value_labels={name: {int(code): label for label, code in mapping.items()}
                               for name, mapping in codes.items()},
        variable_format={name: "F1.0" for name in POLICE_ATTRIBUTES},
        row_compress=True,  # SPSS's default bytecode compression: wide strings cost little
        variable_measure={"resp_id": "nominal", "country": "nominal", "role": "nominal",
                          "unit_size": "ordinal", "q_tech": "nominal", "q_help": "nominal"},
    )
    data = bytearray(path.read_bytes())
    assert re.fullmatch(rb"\d\d \w{3} \d\d", data[92:101]), "unexpected SAV header layout"
    data[92:101], data[101:109] = SAV_TIMESTAMP
    path.write_bytes(bytes(data))


def write_employer_csv(wave: Wave, path: Path) -> None:
    """Semicolon-separated UTF-8 with BOM, as European Excel saves a CSV."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["ID", "Sector", "OrgSize", "discovered", "reaction"])
        for r in wave.respondents:
            writer.writerow([r.rid, r.attrs["sector"] or "", r.attrs["org_size"] or "",
                             r.answers["discovered"].text, r.answers["reaction"].text])


def write_codebook(path: Path) -> None:
    document = {"name": "Sample project: police and employer surveys",
                "version": "1.0", "themes": CODEBOOK_THEMES}
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=88)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------
# Hand-coded sample and realised prevalence
# ---------------------------------------------------------------------------------------

HARD_CASE_QUOTAS = {  # per stratum, drawn before the random rest
    "negation": 5, "sarcasm": 4, "typo": 4, "foreign": 2, "non_answer": 3, "mojibake": 1,
    "html": 1, "circulated": 1, "repeat_of_tech": 2, "negation_only": 1,
}


def rolled_up(codes: Iterable[str]) -> set[str]:
    """Hand codes of a hierarchy: a child theme implies its parent."""
    result = set(codes)
    result |= {PARENT[c] for c in result if c in PARENT}
    return result


@dataclass(frozen=True)
class Coded:
    response_id: str
    answer: Answer


def strata(waves: list[Wave]) -> list[tuple[str, list[Coded]]]:
    return [
        (f"{wave.name}:{question}",
         [Coded(f"{r.rid}:{question}", r.answers[question]) for r in wave.respondents])
        for wave in waves for question in wave.columns
    ]


def draw_hand_coded(waves: list[Wave]) -> list[Coded]:
    """Per wave and question: hard cases first (by quota), then a random rest."""
    rng = random.Random(f"{SEED}:hand-coded")
    sample: list[Coded] = []
    for _, answers in strata(waves):
        candidates = [c for c in answers if c.answer.text.strip()]
        chosen: dict[str, Coded] = {}
        for tag, quota in HARD_CASE_QUOTAS.items():
            tagged = [c for c in candidates
                      if tag in c.answer.tags and c.response_id not in chosen]
            for c in rng.sample(tagged, min(quota, len(tagged))):
                chosen[c.response_id] = c
        rest = [c for c in candidates if c.response_id not in chosen]
        for c in rng.sample(rest, SAMPLE_PER_STRATUM - len(chosen)):
            chosen[c.response_id] = c
        sample += [c for c in candidates if c.response_id in chosen]
    return sample


def write_hand_coded(sample: list[Coded], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["response_id", *THEME_IDS])
        for c in sample:
            codes = rolled_up(c.answer.codes)
            writer.writerow([c.response_id, *(int(t in codes) for t in THEME_IDS)])


@dataclass(frozen=True)
class Prevalence:
    stratum: str
    theme: str
    k: int
    n_substantive: int
    n_all: int

    @property
    def pct(self) -> float:
        return 100 * self.k / self.n_substantive


def prevalence(waves: list[Wave]) -> list[Prevalence]:
    rows = []
    for name, answers in strata(waves):
        question = name.rsplit(":", 1)[1]
        substantive = [c for c in answers if c.answer.substantive]
        for theme_id in (t for t in THEME_IDS if THEME_QUESTION[t] == question):
            k = sum(theme_id in rolled_up(c.answer.codes) for c in substantive)
            rows.append(Prevalence(name, theme_id, k, len(substantive), len(answers)))
    return rows


def tag_counts(answers: Iterable[Answer]) -> dict[str, int]:
    counts = Counter(tag for answer in answers for tag in answer.tags)
    return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------

PLANTED_TARGETS = {
    "encryption": "15 -> 25 -> 38", "cryptocurrency": "6 -> 11 -> 19",
    "darknet": "20 -> 20 -> 20 (no change)", "live_streaming": "8 -> 12 -> 16",
    "more_resources": "40 -> 40 -> 40 (most common help theme)",
}


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def planted_table(rows: list[Prevalence]) -> str:
    lookup = {(p.stratum, p.theme): p for p in rows}
    body = []
    for theme_id, target in PLANTED_TARGETS.items():
        question = THEME_QUESTION[theme_id]
        cells = []
        for year in POLICE_SIZES:
            p = lookup[(f"police_{year}:{question}", theme_id)]
            cells.append(f"{p.k}/{p.n_substantive} = {p.pct:.1f}% ({100 * p.k / p.n_all:.1f}%)")
        body.append([f"`{theme_id}` ({question})", target, *cells])
    return markdown_table(["theme", "target %", "2017", "2018", "2019"], body)


def full_table(rows: list[Prevalence]) -> str:
    lookup = {(p.stratum, p.theme): p for p in rows}
    names = list(dict.fromkeys(p.stratum for p in rows))
    body = []
    for theme_id in THEME_IDS:
        cells = [f"{lookup[(n, theme_id)].pct:.1f}" if (n, theme_id) in lookup else ""
                 for n in names]
        body.append([f"`{theme_id}`", *cells])
    header = ["theme", *(n.replace(":", " ") for n in names)]
    substantive = ["substantive n", *(str(next(p.n_substantive for p in rows
                                                if p.stratum == n)) for n in names)]
    return markdown_table(header, [substantive, *body])


def write_readme(path: Path, waves: list[Wave], sample: list[Coded], sizes: dict[str, int]) -> None:
    rows = prevalence(waves)
    answers = [a for w in waves for r in w.respondents for a in r.answers.values()]
    noise = tag_counts(answers)
    in_sample = tag_counts(c.answer for c in sample)
    noise_rows = [[f"`{tag}`", str(count), str(in_sample.get(tag, 0))]
                  for tag, count in noise.items()]
    file_rows = [
        ["`police_2017.csv`", "police 2017", "Qualtrics CSV export, cp1252, comma; rows 2-3 "
         "are question texts and ImportIds", str(len(waves[0].respondents)), "`ResponseId`",
         "`Q4` (tech), `Q5` (help)", "`Q1` country, `Q2` role, `Q3` unit size"],
        ["`police_2018.xlsx`", "police 2018", "Excel, sheet `Responses` (+ `About`)",
         str(len(waves[1].respondents)), "`RespondentID`", "`TechChanges`, `MostHelpful`",
         "`Country`, `Role`, `UnitSize` (`Submitted` date)"],
        ["`police_2019.sav`", "police 2019", "SPSS, numeric codes with value labels",
         str(len(waves[2].respondents)), "`resp_id`", "`q_tech`, `q_help`",
         "`country`, `role`, `unit_size`"],
        ["`employer_2018.csv`", "employer 2018", "UTF-8 with BOM, semicolon",
         str(len(waves[3].respondents)), "`ID`", "`discovered`, `reaction`",
         "`Sector`, `OrgSize`"],
    ]
    text = README_TEMPLATE.format(
        files=markdown_table(["file", "survey", "format", "respondents", "id", "text columns",
                              "attributes"], file_rows),
        planted=planted_table(rows),
        full=full_table(rows),
        noise=markdown_table(["tag", "answers in corpus", "in hand_coded.csv"], noise_rows),
        n_sample=len(sample),
        per_stratum=SAMPLE_PER_STRATUM,
        sizes=", ".join(f"`{name}` {size / 1024:.0f} KB" for name, size in sizes.items()),
        countries=", ".join(COUNTRIES), roles=", ".join(ROLES),
        unit_sizes=", ".join(UNIT_SIZES), sectors=", ".join(SECTORS),
        org_sizes=", ".join(ORG_SIZES), seed=SEED,
    )
    path.write_text(text, encoding="utf-8")


README_TEMPLATE = """\
# Sample survey project

Synthetic open-ended survey answers for `openends demo`, the tests and the documentation.
They imitate yearly surveys of police officers and employers about child sexual abuse
material crime (in the spirit of the NetClean reports). **No answer is real**: every phrase
was written for `scripts/make_sample_corpus.py`, and all names, e-mail addresses (example.org,
example.com), phone numbers and URLs are fictional. The answers talk about technology,
investigations and workplace handling, never about the material itself.

## Files

{files}

| file | what |
|---|---|
| `codebook.yml` | the codebook: 27 themes with patterns, examples and a two-level hierarchy |
| `hand_coded.csv` | {n_sample} answers with reference codes (rules below): `response_id`, \
then one 0/1 column per theme in codebook order |

`response_id` in `hand_coded.csv` is `<respondent id>:<question>`, where the question is
the name `project.toml` gives the answer column (`tech`, `help`, `discovered`, `reaction`),
e.g. `R_...:tech`, `P18-0001:tech`, `P19-0001:help`, `E18-0001:reaction`: the ids
`openends` gives answers when it reads the project. Respondent ids are unique across all
four files. Sizes: {sizes}.

Reading them with pandas:

```python
pd.read_csv("police_2017.csv", encoding="cp1252", skiprows=[1, 2])
pd.read_excel("police_2018.xlsx", sheet_name="Responses")
pyreadstat.read_sav("police_2019.sav", apply_value_formats=True)
pd.read_csv("employer_2018.csv", sep=";", encoding="utf-8-sig")
```

Pass `keep_default_na=False` (CSV) or check for NaN (XLSX): by default pandas turns the
non-answers "N/A" and "n/a" into missing values.

## Questions and attributes

| question | text | files |
|---|---|---|
| `tech` | What changes have you seen in how offenders use technology? | police, all waves |
| `help` | What would most help your investigations? | police, all waves |
| `discovered` | How was the material discovered? | employer 2018 |
| `reaction` | How did the employee react when confronted? | employer 2018 |

Column names drift between the police waves (`Q4` / `TechChanges` / `q_tech`), the values
do not. Police: country ({countries}); role ({roles}); unit size ({unit_sizes}). Employers:
sector ({sectors}); organisation size ({org_sizes}). About 1% of attribute cells are empty.
In the SAV file the attributes are integer codes 1..k in the order listed, with value labels.

## Themes

27 themes, each tied to one question by its `question` field (a key beyond the minimum
that SPEC section 3 lists). Two parents group their
children: `cooperation` (help) is the parent of `international_cooperation` and
`industry_cooperation`, and coded alone it means cooperation inside the country (other
agencies, social services, schools, prosecutors); `emotional_reaction` (reaction) is the
parent of `anger` and `self_harm_concern`, and coded alone it means upset, tearful or shaken.

## Planted trends

Shares are of the substantive answers of the wave (not empty, not a non-answer); the figure
in brackets is the share of all respondents. The generator hits the targets exactly up to
rounding; `darknet` is a planted non-change.

{planted}

Among employers, `denial` is the most common reaction (target 40%), then `confession`
(20%) and `resignation` (15%); the parent `emotional_reaction` adds up `anger`,
`self_harm_concern` and direct mentions. All realised shares (%, of substantive answers;
parents include their children):

{full}

## Noise

Answers tagged by the generator (an answer can carry several tags):

{noise}

- `non_answer`: n/a, N/A, -, ., don't know, Dont know, no comment, nothing, see above, same as
  last year (2018 and 2019 only), vet ej, keine Angabe ...; `empty`: empty cells (in 2017
  partly from unfinished responses, `Finished` = False).
- `typo`: a theme word misspelt (encyption, bitcoins, darkweb, cryptocurrancy, recources ...).
- `circulated`: long answers pasted verbatim by several respondents of one unit (same country
  and unit size); `repeat_of_tech`: a `help` answer that repeats the respondent's `tech` answer.
- Short answers such as "Encryption" or "More staff" recur across respondents; they are
  ordinary answers (`short`), not duplicates. Apart from these and the deliberate repeats,
  answers of five words or more are unique across the four files, and no answer of eight
  words or more is a near copy of another respondent's (word 3-shingle Jaccard of 0.7 or
  more after lower-casing and removing punctuation), so the duplicate detector finds only
  the deliberate copies.
- `foreign`: Swedish and German answers (police from Sweden and Germany; employers).
- `pii`: fictional e-mail addresses, +46/+44/+49 phone numbers, URLs or colleagues' names.
- `long`: several paragraphs (police: 800-2000 characters). `list`: bullet or comma lists.
- `html` (`<br>`, `&amp;`, `&#39;`, `<p>`) and `mojibake` (`donâ€™t`, `SjÃ¶berg`) occur in the
  two CSV files only; curly quotes, en dashes, accented letters (é, ö, ä, ü ...) and € make the
  cp1252 encoding of `police_2017.csv` matter.
- `negation`, `sarcasm`: see the coding rules.

## Coding rules (hand_coded.csv)

The hand codes are the generator's record of which theme each sentence was written for,
so they are what a careful coder reading the answer assigns:

- A theme is coded only on answers to its own question (a `help` answer that repeats the
  `tech` answer gets no codes).
- Negated or dismissed mentions are **not** coded: "We have not seen any use of
  cryptocurrency so far", "Encryption is less of a problem than people think", "He did not
  deny anything", "Our filtering software did not pick anything up". A mention that states
  presence is coded even if it contains a negative word ("Not much change on the darknet
  side: it was big before and it is big now" is `darknet`).
- Sarcasm is coded by its meaning ("Oh sure, another budget cut will really help" is
  `more_resources`; "Apparently a virus downloaded it all. Sure." is `denial`).
- Misspelt and Swedish/German answers are coded by meaning; non-answers and empty answers
  get no codes; repeated answers get the codes of their text.
- A parent is coded whenever one of its children is.
- `police_contact` means the police contacted the employer first; "we reported it to the
  police" after the discovery is not coded. Dismissal by the employer is not `resignation`.

The sample has {per_stratum} answers from each of the eight wave x question strata: first a
quota of hard cases (negations, sarcasm, typos, foreign, non-answers, repeats), then a random
draw from the other non-empty answers, so hard cases are over-represented compared with the
corpus. Rows follow the order of the data files.

## Regenerate

```
python scripts/make_sample_corpus.py --out corpora
```

Needs pandas, openpyxl, pyreadstat and pyyaml. Output is deterministic (seed {seed}); the
XLSX and SAV files carry fixed timestamps, so reruns are byte-identical.
"""


# ---------------------------------------------------------------------------------------


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    seen = Seen()
    waves = [build_wave("police", year, n, seen) for year, n in POLICE_SIZES.items()]
    waves.append(build_wave("employer", 2018, EMPLOYER_SIZE, seen))
    for wave in waves:
        apply_quirks(wave)
    writers: dict[str, Callable[[Wave, Path], None]] = {
        "police_2017.csv": write_qualtrics_csv, "police_2018.xlsx": write_xlsx,
        "police_2019.sav": write_sav, "employer_2018.csv": write_employer_csv,
    }
    for (file_name, writer), wave in zip(writers.items(), waves, strict=True):
        writer(wave, out / file_name)
    write_codebook(out / "codebook.yml")
    sample = draw_hand_coded(waves)
    write_hand_coded(sample, out / "hand_coded.csv")
    written = [*writers, "codebook.yml", "hand_coded.csv"]
    sizes = {name: (out / name).stat().st_size for name in written}
    write_readme(out / "README.md", waves, sample, sizes)
    print(json.dumps({"respondents": {w.name: len(w.respondents) for w in waves},
                      "hand_coded": len(sample), "bytes": sizes,
                      "similar_answers_kept": seen.failures}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("corpora"),
                        help="output folder (default: corpora)")
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()
