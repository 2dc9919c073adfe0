"""The words of the demo's synthetic reports: what residents write about each kind of problem,
what partners tell them when they close one, and the titles of the tasks made from them. Made up;
no one is named."""

DESCRIPTIONS = {
    "fly-tipping": [
        "Black bags and a mattress dumped by the garages.",
        "A pile of builders' rubble on the verge next to the bus stop.",
        "Someone has left an old sofa and two chairs in the alley.",
        "Garden waste tipped over the fence onto the footpath.",
        "A stack of tyres left at the end of the lane.",
        "Bags of household rubbish split open across the pavement.",
    ],
    "litter": [
        "The bin by the shops is overflowing and rubbish is blowing around.",
        "Lots of cans and bottles left on the grass after the weekend.",
        "Food wrappers all along the path by the school.",
        "The litter bin on the corner has been knocked over and broken.",
    ],
    "graffiti": [
        "Tags sprayed all over the bus shelter.",
        "Large graffiti on the side wall of the community centre.",
        "Offensive words painted on the fence by the play area.",
        "New graffiti on the railway bridge.",
    ],
    "abandoned-vehicle": [
        "A silver car has not moved for weeks and has two flat tyres.",
        "A van with smashed windows parked on the verge.",
        "An untaxed car left in the lay-by, full of rubbish.",
    ],
    "dog-fouling": [
        "Dog mess all along the footpath to the school.",
        "The grass by the play area is covered in dog mess.",
        "Someone walks their dog here every morning and never picks up after it.",
    ],
    "drug-dealing": [
        "Cars pull up by the garages and people hand things through the window.",
        "Young people being sent to the stairwell to meet people at all hours.",
        "Strong smell of cannabis and people coming and going from the alley.",
        "Needles left behind the shops where people gather in the evening.",
    ],
    "noise-nuisance": [
        "Loud music from a flat until three in the morning.",
        "A group shouting and kicking a ball against the doors late at night.",
        "Motorbikes racing round the estate in the evenings.",
        "Dogs barking for hours when the owners are out.",
    ],
    "street-drinking": [
        "A group drinking on the benches all afternoon, shouting at people.",
        "People drinking outside the off-licence and leaving cans everywhere.",
        "Drinking in the park near the play area most evenings.",
    ],
    "street-light": [
        "The street light outside is off every night.",
        "The lamp post by the footpath has been flickering for a week.",
        "The light on the corner stays on all day.",
        "The lamp post is leaning after a car hit it.",
    ],
    "pothole": [
        "A deep pothole in the road at the junction.",
        "Broken paving slabs on the pavement, someone nearly tripped.",
        "A large hole in the cycle lane.",
        "Potholes all along the road outside the school.",
    ],
    "fire-risk": [
        "Old furniture and bin bags piled against the back of the shops.",
        "Wooden pallets stacked next to the flats.",
        "Overflowing bins pushed against the fence, someone set one alight last month.",
    ],
    "someone-at-risk": [
        "An older neighbour has not been seen for days and her post is piling up.",
        "A child is often left alone in the flat late into the evening.",
        "A man sleeping in the underpass looks very unwell.",
    ],
    "hate-incident": [
        "Someone shouted racist abuse at a family waiting at the bus stop.",
        "A note with homophobic words was pushed through a neighbour's door.",
        "Young people keep calling a disabled neighbour names in the street.",
    ],
}

FOLLOW_UPS = [
    "It has been there since the weekend.",
    "It is getting worse.",
    "This is the third time this month.",
    "Children walk past here on the way to school.",
    "I have reported this before.",
]

# What a partner tells the resident when closing a report (a closing state needs its reason).
CLOSING = {
    "not_responsible": "This is on private land: the owner is responsible for it, and we have written to them.",
    "no_further_action": "We visited and found nothing we can act on at the moment.",
    "unable_to_fix": "We could not get onto the land to deal with it, and have closed your report.",
    "internal_referral": "We have passed your report to the team that deals with it.",
    "closed": "Closed after our visit. Thank you for reporting it.",
    "hidden": "Removed: the report contained abusive language.",
}

# The task the council makes from a report, by service.
TASKS = {
    "fly-tipping": "Collect the fly tip",
    "litter": "Clear the litter",
    "graffiti": "Remove the graffiti",
    "abandoned-vehicle": "Check the vehicle and tag it",
    "dog-fouling": "Patrol for dog fouling",
    "noise-nuisance": "Visit about the noise",
    "street-light": "Repair the street light",
    "pothole": "Repair the pothole",
}
