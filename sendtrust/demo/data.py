"""The figures and word lists behind the synthetic demo trust. No real child's data, ever.

Names of pupils, staff, schools and trusts are drawn from lists made up for this file;
local authority codes and names are real (DfE LA codes, `data/real/dfe-vocab/las.csv`)
because UPNs must carry a valid LA number.
"""

from __future__ import annotations

# The tables below are laid out by hand, to be read as tables.
# fmt: off

# --- Local authorities: clusters of neighbours, as a trust usually spans a few of them. ---
# (code, name, EAL share of pupils, FSM multiplier against the national baseline). EAL and FSM
# levels are rough, to make the places differ as real ones do; they are not published figures.
LA_CLUSTERS: list[list[tuple[int, str, float, float]]] = [
    [
        (801, "Bristol, City of", 0.22, 1.05),
        (803, "South Gloucestershire", 0.10, 0.65),
        (802, "North Somerset", 0.07, 0.75),
        (800, "Bath and North East Somerset", 0.09, 0.60),
    ],
    [
        (330, "Birmingham", 0.42, 1.55),
        (333, "Sandwell", 0.38, 1.45),
        (334, "Solihull", 0.15, 0.75),
        (332, "Dudley", 0.14, 1.05),
        (336, "Wolverhampton", 0.30, 1.30),
    ],
    [
        (352, "Manchester", 0.40, 1.55),
        (356, "Stockport", 0.12, 0.75),
        (357, "Tameside", 0.15, 1.15),
        (358, "Trafford", 0.20, 0.60),
    ],
]

# --- SEN rates by kind of school: (SEN support K, EHC plan E), shares of pupils on roll. ---
# DfE "Special educational needs in England", January census. All schools 2024/25 (DOMAIN.md):
# SEN support 14.2%, EHC plan 5.3%; the all-school EHC rate is high because special schools,
# where almost every pupil has a plan, are in it. Per school type we use rounded state-funded
# figures: primary K 13.9% E 3.0%; secondary K 12.6% E 2.7%; special K 1.5% E 98%.
# Alternative provision: the 2019 census file in data/real (pupil referral units) shows
# K 67.6% and E 13.4%; EHC plans have grown since, so K 60% and E 18%.
NATIONAL_ALL_SCHOOLS = (0.142, 0.053)
RATES: dict[str, tuple[float, float]] = {
    "primary": (0.139, 0.030),
    "secondary": (0.126, 0.027),
    "special": (0.015, 0.980),
    "ap": (0.600, 0.180),
}

# The identification gradient across year groups (fewer in reception, fewer in sixth form);
# the multipliers average about 1 over the compulsory years.
YEAR_FACTOR: dict[int, float] = {
    0: 0.6, 1: 0.85, 2: 0.95, 3: 1.05, 4: 1.15, 5: 1.2, 6: 1.2,
    7: 1.1, 8: 1.05, 9: 1.0, 10: 0.95, 11: 0.9, 12: 0.75, 13: 0.7,
}

# Share of boys by provision, 2025: 61% of SEN support, 71% of EHC plans (DOMAIN.md).
BOYS_SHARE = {"K": 0.61, "E": 0.71}
BOYS_OVERALL = 0.51

# Free school meals by provision, 2025: 22% without SEN, 39% with SEN support, 44% with an EHC
# plan (DOMAIN.md). Multiplied by the LA's and the school's own deprivation.
FSM = {"N": 0.22, "K": 0.39, "E": 0.44}
# Pupil premium also covers pupils eligible for FSM at any time in six years.
EVER_FSM_EXTRA = 0.07
# Looked-after children are about half a per cent of pupils, far more often with SEN.
LOOKED_AFTER = {"N": 0.003, "K": 0.015, "E": 0.03}
SECONDARY_NEED = {"K": 0.25, "E": 0.40}

# --- Primary need mix by kind of school and provision (weights, roughly per cent). ---
# Shaped on the 2022/23 phase x primary need table in data/real/sen-schools-2023-nyt (K and E
# together) and the 2025 headline: SLCN is the most common need with SEN support, ASD with an
# EHC plan. NSA appears only with SEN support. DS is recorded from January 2025.
NEED_MIX: dict[tuple[str, str], dict[str, float]] = {
    ("primary", "K"): {
        "SLCN": 37, "SEMH": 18, "MLD": 15, "SPLD": 10, "ASD": 6, "NSA": 5, "OTH": 3,
        "PD": 2, "HI": 1.5, "VI": 0.8, "SLD": 0.3, "DS": 0.3, "MSI": 0.2, "PMLD": 0.1,
    },
    ("primary", "E"): {
        "ASD": 38, "SLCN": 24, "SEMH": 9, "SLD": 6, "MLD": 6, "PD": 5, "DS": 2.5, "HI": 2,
        "OTH": 2, "PMLD": 1.5, "VI": 1, "SPLD": 1, "MSI": 0.3,
    },
    ("secondary", "K"): {
        "SEMH": 23, "SPLD": 20, "MLD": 17, "SLCN": 15, "ASD": 8, "OTH": 5, "NSA": 3,
        "PD": 2.5, "HI": 2, "VI": 1.2, "SLD": 0.2, "DS": 0.2, "MSI": 0.2, "PMLD": 0.05,
    },
    ("secondary", "E"): {
        "ASD": 37, "SEMH": 17, "SLCN": 12, "MLD": 11, "SPLD": 6, "PD": 4, "OTH": 3,
        "HI": 2.5, "SLD": 2.5, "DS": 1.5, "VI": 1.5, "PMLD": 0.5, "MSI": 0.3,
    },
    ("special", "K"): {"SLCN": 25, "ASD": 20, "MLD": 20, "SEMH": 20, "SLD": 5, "SPLD": 5,
                       "OTH": 5},
    ("special", "E"): {
        "ASD": 35, "SLD": 18.6, "SEMH": 12.3, "SLCN": 10.1, "MLD": 9.9, "PMLD": 5.7,
        "PD": 2.8, "DS": 2.5, "SPLD": 2.1, "OTH": 2.0, "HI": 0.7, "VI": 0.6, "MSI": 0.2,
    },
    ("ap", "K"): {"SEMH": 78, "MLD": 4, "ASD": 4, "SLCN": 4, "NSA": 4, "SPLD": 3, "OTH": 2,
                  "PD": 1},
    ("ap", "E"): {"SEMH": 60, "ASD": 20, "SLCN": 7, "MLD": 6, "SPLD": 3, "OTH": 3, "PD": 1},
}
# Before a need existed in the taxonomy (DS before January 2025), pupils were recorded under
# another code; the demo history shows the recoding.
RECORDED_BEFORE = {"K": "MLD", "E": "SLD"}
# Needs never drawn as a secondary need.
NOT_SECONDARY = {"NSA", "DS"}

# How a pupil's status got to where it is now: the provisions of successive episodes, oldest
# first, ending with the current one, and how likely each path is. "k" is SEN support with no
# specialist assessment yet (NSA), followed by K once the assessment names the need.
HISTORY: dict[str, list[tuple[tuple[str, ...], float]]] = {
    "N": [(("N",), 0.95), (("K", "N"), 0.03), (("N", "K", "N"), 0.02)],
    "K": [(("K",), 0.45), (("N", "K"), 0.40), (("N", "k", "K"), 0.06), (("K", "N", "K"), 0.05),
          (("E", "K"), 0.04)],
    "E": [(("E",), 0.25), (("K", "E"), 0.45), (("N", "K", "E"), 0.30)],
}

# --- Identification: who, on what evidence. Our own words; the roles are generic. ---
IDENTIFIED_BY: dict[str, list[str]] = {
    "SLCN": ["speech and language therapist", "SENCO", "class teacher"],
    "ASD": ["community paediatrician", "autism assessment team", "SENCO"],
    "SEMH": ["SENCO", "mental health support team", "educational psychologist"],
    "MLD": ["educational psychologist", "SENCO"],
    "SPLD": ["specialist teacher", "SENCO"],
    "SLD": ["community paediatrician", "educational psychologist"],
    "PMLD": ["community paediatrician", "educational psychologist"],
    "HI": ["qualified teacher of the deaf", "audiologist"],
    "VI": ["qualified teacher of vision impairment", "orthoptist"],
    "MSI": ["multi-sensory impairment specialist teacher"],
    "PD": ["occupational therapist", "physiotherapist", "community paediatrician"],
    "DS": ["community paediatrician"],
    "OTH": ["SENCO", "school nurse"],
    "NSA": ["class teacher", "SENCO"],
}
EVIDENCE: dict[str, list[str]] = {
    "SLCN": [
        "Language screening well below the expected band for age",
        "Understanding of instructions lags behind peers in class and small-group work",
        "Speech sounds hard to follow for unfamiliar adults; therapy report received",
    ],
    "ASD": [
        "Diagnostic assessment report shared by parents",
        "Difficulties with social communication and changes of routine observed across terms",
        "Sensory sensitivities affect time in class; assessment team's report on file",
    ],
    "SEMH": [
        "Repeated periods of distress and withdrawal logged by staff",
        "Attendance and behaviour records show a pattern since the spring term",
        "Strengths and difficulties questionnaire in the high band; parents share the concern",
    ],
    "MLD": [
        "Attainment well below age-related expectations in reading and mathematics",
        "Slow progress after two cycles of targeted teaching; cognitive assessment on file",
    ],
    "SPLD": [
        "Standardised reading and spelling scores far below reasoning scores",
        "Specialist assessment of literacy and working memory; profile consistent with dyslexia",
        "Persistent difficulty with number facts despite targeted teaching",
    ],
    "SLD": [
        "Developmental assessment shows significant global delay",
        "Needs adult support for most daily routines; medical and psychology reports on file",
    ],
    "PMLD": ["Profound learning and physical needs documented by health and education"],
    "HI": ["Audiology report confirms a permanent hearing loss; hearing aids fitted"],
    "VI": ["Vision assessment confirms a significant visual impairment; modified print needed"],
    "MSI": ["Combined hearing and vision loss confirmed by specialist assessment"],
    "PD": [
        "Physical disability affects access to the curriculum and site; therapy report on file",
        "Motor assessment shows difficulties with handwriting, dressing and movement",
    ],
    "DS": ["Diagnosis of Down syndrome; health and early years reports on file"],
    "OTH": ["Medical condition affecting learning; care plan and consultant letter on file"],
    "NSA": [
        "Falling behind after a cycle of quality-first teaching; specialist assessment requested",
        "Teacher and parent concerns recorded; progress reviewed at pupil progress meeting",
    ],
}
EHCP_ISSUED_BY = "local authority SEN team"
EHCP_EVIDENCE = "EHC plan issued after a statutory needs assessment; advice from {advice}"
EHCP_ADVICE = [
    "the educational psychologist and the school",
    "health, education and social care",
    "the speech and language therapist and the SENCO",
]

# --- Invented names. ---
TRUST_PLACES = [
    "Severnside", "Kingsbrook", "Avonvale", "Three Rivers", "Brookfield", "Oakridge",
    "Meadowbank", "Hillcrest", "Riverbend", "Clearwater", "Northgate", "Greenhill",
]
TRUST_KINDS = ["Learning Trust", "Education Trust", "Academy Trust", "Schools Partnership"]
SCHOOL_STEMS = [
    "Alder", "Ash", "Beech", "Birch", "Bramble", "Cedar", "Elder", "Elm", "Hazel", "Holly",
    "Juniper", "Larch", "Linden", "Maple", "Oak", "Rowan", "Willow", "Yew", "Aspen",
    "Hawthorn", "Heather", "Fern", "Bracken", "Sorrel", "Clover", "Laurel", "Poplar",
    "Chestnut", "Sycamore", "Kestrel", "Wren", "Heron", "Lark", "Swallow", "Otter", "Badger",
]
SCHOOL_ENDINGS = [
    "", "brook", "field", "wood", "mead", "croft", "hill", "dale", "ridge", "well", "gate",
    "bank", "combe", "ton", "ford", "moor", "vale", "grove",
]
SCHOOL_FORMS = {
    "primary": ["{} Primary School", "{} Primary Academy", "{} Community Primary School"],
    "secondary": ["{} Academy", "{} School", "{} High School", "{} Community College"],
    "special": ["{} Special School", "{} School"],
    "ap": ["{} Learning Centre", "{} Alternative Provision Academy"],
}
GIRLS = [
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Florence", "Grace",
    "Sophia", "Willow", "Evie", "Poppy", "Aria", "Ella", "Daisy", "Rosie", "Phoebe", "Sienna",
    "Maya", "Zara", "Aisha", "Fatima", "Maryam", "Hafsa", "Amira", "Inaya", "Priya", "Anaya",
    "Zofia", "Maja", "Lena", "Chloe", "Ruby", "Millie", "Esme", "Harper", "Imogen", "Matilda",
    "Nia", "Ada", "Orla", "Erin", "Leah", "Eliza", "Jasmine", "Hannah", "Amara", "Chioma",
]
BOYS = [
    "Oliver", "George", "Noah", "Arthur", "Leo", "Oscar", "Harry", "Theo", "Freddie", "Jack",
    "Charlie", "Alfie", "Finley", "Henry", "Archie", "Thomas", "Joshua", "Reuben", "Ethan",
    "Muhammad", "Yusuf", "Ibrahim", "Ayaan", "Zayn", "Omar", "Hamza", "Arjun", "Rohan",
    "Jakub", "Filip", "Kacper", "Luca", "Mason", "Riley", "Jacob", "Samuel", "Max", "Louis",
    "Tobias", "Elijah", "Kai", "Dylan", "Caleb", "Tomasz", "Kofi", "Tayo", "Ezra", "Rory",
    "Callum", "Ewan",
]
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison", "Lewis", "Baker", "Lee",
    "Allen", "Morris", "Khan", "Scott", "Watson", "Davis", "Parker", "James", "Bennett",
    "Young", "Phillips", "Richardson", "Mitchell", "Bailey", "Carter", "Cook", "Singh", "Shaw",
    "Bell", "Collins", "Morgan", "Kelly", "Begum", "Miller", "Cox", "Hussain", "Marshall",
    "Simpson", "Price", "Anderson", "Adams", "Wilkinson", "Ali", "Ahmed", "Foster", "Ellis",
    "Murphy", "Chapman", "Mason", "Gray", "Richards", "Webb", "Griffiths", "Hunt", "Palmer",
    "Campbell", "Holmes", "Mills", "Rogers", "Barnes", "Knight", "Matthews", "Barker",
    "Nowak", "Kowalski", "Okafor", "Mensah", "Adeyemi", "Osei", "Chowdhury", "Rahman",
    "Nguyen", "Costa", "Silva", "Murray", "Reid", "Fraser", "Quinn", "Doyle", "Byrne",
]
ADULT_FIRST = [
    "Sarah", "Claire", "Helen", "Rachel", "Emma", "Joanne", "Nicola", "Priya", "Amina",
    "Agnieszka", "Laura", "Kate", "Louise", "Hannah", "Gemma", "Ngozi", "Farah", "Siobhan",
    "Mark", "David", "James", "Paul", "Richard", "Imran", "Tariq", "Kwame", "Tomasz", "Chris",
    "Daniel", "Matthew", "Andrew", "Gareth", "Sunil", "Owen", "Martin", "Simon",
]
# fmt: on

# Years of leavers the demo trust's records hold: each school's top year group, every July.
LEAVER_YEARS = 5
